/**
 * What both modes share: the scaled-down clock of the incident, its faults, the observation window, and
 * the figures a run is judged by (`judge.ts`). The modes differ only in how they run the agent's sweeps
 * and what they serve on `/healthz`.
 */
import { Effect } from "effect"
import type { Args, Context } from "../shared/Example.ts"
import type * as AlertApi from "./alertApi.ts"
import type { ProbeLog } from "./healthz.ts"
import type { SweepFigures } from "./judge.ts"
import type { Tally } from "./tally.ts"

/** The incident's hour, scaled down: one sweep every 200 ms. */
export const every = 200
/** Per-sweep deadline of the Lifeline runner: a sweep normally takes a few milliseconds. */
export const sweepTimeout = 150
/** How long a sweep that ignores interruption may outlive its deadline before the supervisor abandons it. */
export const sweepGrace = 250
/** The health probe's period and per-probe timeout (a kubelet's `periodSeconds` / `timeoutSeconds`). */
export const probeEvery = 100
export const probeTimeout = 250
/** The sweep whose Analyze step throws. */
export const defectOnSweep = 6
/** The sweep that wedges in uninterruptible code under `--wedge`. */
export const wedgeOnSweep = 5
/** Under `--wedge`, how long the probe keeps watching after the wedge, and the latest the run may end. */
export const wedgeWatch = 2000
export const wedgeWatchCap = 10_000
/** The loop counts as stalled when no sweep has ended for this long, or one has run this long. */
export const stallAfter = 3 * every

/**
 * The Lifeline runner's `staleAfter`: no successful sweep for this long makes `/healthz` say 503. The
 * supervisor's default (`3 × every + timeout`), set explicitly so the Deployment's probes can be checked
 * against it (`k8s/deployment.yaml`).
 */
export const staleAfter = 3 * every + sweepTimeout
/** How long the supervisor's stop waits for a sweep that ignores interruption before leaving it behind. */
export const stopTimeout = 500
/**
 * The most a pod whose loop has gone stale may keep running before its liveness probe has the kubelet restart
 * it: what `k8s/deployment.yaml`'s probe period and threshold are held to.
 */
export const restartWithin = 5_000

/** Every fifth request from the third on (3, 8, 13, …) is read and never answered. */
export const silentWhen = (request: number): boolean => request % 5 === 3

/** The observation window, from `--for <ms>` (default 3000). */
export const windowMs = (args: Args): number => {
  const raw = args["for"]
  const ms = typeof raw === "string" ? Number(raw) : 3000
  return Number.isFinite(ms) && ms >= 1000 ? ms : 3000
}

/**
 * The latest a run may end by itself, for the watchdog: its window (or, under `--wedge`, the watch after the
 * wedge) and time to spare. A timer cannot wait longer than 2^31 − 1 ms.
 */
export const watchdogMs = (args: Args): number =>
  Math.min(Math.max(windowMs(args), wedgeWatchCap) + 10_000, 2 ** 31 - 1)

/** Where the runner serves `/healthz` (and `/metrics`, in Lifeline mode). */
export interface Listen {
  readonly host: string
  readonly port: number
}

/**
 * `--listen <host>:<port>`; by default `127.0.0.1:0`, loopback on a free port. In a pod, `0.0.0.0:8080`: all
 * interfaces, so that the kubelet's probes and Prometheus reach it.
 */
export const listenOf = (args: Args): Effect.Effect<Listen, Error> => {
  const raw = args["listen"] ?? "127.0.0.1:0"
  const match = typeof raw === "string" ? /^(.+):(\d{1,5})$/.exec(raw) : null
  const port = match === null ? Number.NaN : Number(match[2])
  return match !== null && port <= 65_535
    ? Effect.succeed({ host: match[1]!, port })
    : Effect.fail(new Error(`--listen ${String(raw)}: expected <host>:<port>, such as 0.0.0.0:8080`))
}

/**
 * Records the run for the docs' charts: when the replay's clock starts (with the loop's timings), each sweep's
 * start, end and outcome, a wedge, and every answer of `/healthz`.
 */
export const record = <F>(ctx: Context<F>, tally: Tally, probe: ProbeLog): void => {
  tally.onEvent = (event) => {
    const { name, ...data } = event
    ctx.event(
      name,
      name === "replay started"
        ? { everyMs: every, sweepTimeoutMs: sweepTimeout, sweepGraceMs: sweepGrace, stallAfterMs: stallAfter }
        : data
    )
  }
  probe.onSeen = (observation) => ctx.event("healthz", { status: observation.status })
}

/** Waits until `ms` after the replay started. */
export const until = (tally: Tally, ms: number): Effect.Effect<void> =>
  Effect.suspend(() => Effect.sleep(Math.max(0, ms - tally.now())))

/** The figures of a run at the end of its window, the same way for both modes. */
export const observe = (tally: Tally, probe: ProbeLog, api: AlertApi.AlertApi, window: number): SweepFigures => {
  const scheduled = Math.floor(window / every)
  const stuck = tally.stuckLongerThan(stallAfter)
  const quietFor = tally.now() - (tally.lastEndAt ?? 0)
  const stalled = stuck !== undefined || quietFor > stallAfter
  const stalledSince = stuck !== undefined ? tally.sweepStartedAt : tally.lastEndAt ?? 0
  return {
    everyMs: every,
    windowMs: window,
    sweepsScheduled: scheduled,
    sweepsStarted: tally.started,
    sweepsCompleted: tally.ended,
    completedRatio: Math.round((tally.ended / scheduled) * 100) / 100,
    sweepsSucceeded: tally.succeeded,
    ticksWithoutSweep: Math.max(0, scheduled - tally.started),
    sweepsTimedOut: tally.timedOut,
    sweepsFailed: tally.failed,
    defects: tally.defects,
    stalled,
    ...(stalled
      ? {
        stalledSinceMs: Math.round(stalledSince),
        stuckStage: stuck?.stage ?? "none",
        ...(stuck === undefined ? {} : { stuckForMs: stuck.forMs })
      }
      : {}),
    healthz: probe.counts(),
    ...(stalled ? { healthzWhileStalled: probe.counts(stalledSince + stallAfter) } : {}),
    alertApi: { requests: api.requests(), unanswered: api.unanswered() }
  }
}
