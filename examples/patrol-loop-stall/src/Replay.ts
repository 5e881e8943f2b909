/**
 * What both modes share: the scaled-down clock of the incident, the environment (alert API, health probe),
 * and the way a run is judged and summarised. The modes differ only in how they run the agent's sweeps and
 * what they serve on `/healthz`.
 */
import { Effect } from "effect"
import * as AlertApi from "./AlertApi.ts"
import type { ProbeLog } from "./Healthz.ts"
import type { Tally } from "./Tally.ts"

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
/** The share of scheduled sweeps the Lifeline runner must complete for its run to count as `ok`. */
export const minCompletedRatio = 0.75
/** The loop counts as stalled when no sweep has ended for this long, or one has run this long. */
export const stallAfter = 3 * every

/** Every fifth request from the third on (3, 8, 13, …) is read and never answered. */
export const silentWhen = (request: number): boolean => request % 5 === 3

/** The observation window, from `--for <ms>` (default 3000). */
export const windowMs = (
  args: Readonly<Record<string, string | true>>
): number => {
  const raw = args["for"]
  const ms = typeof raw === "string" ? Number(raw) : 3000
  return Number.isFinite(ms) && ms >= 1000 ? ms : 3000
}

/** Waits until `ms` after the replay started. */
export const until = (tally: Tally, ms: number): Effect.Effect<void> =>
  Effect.suspend(() => Effect.sleep(Math.max(0, ms - tally.now())))

export interface Verdict {
  /** Ticks that fell inside the window, each with a full period to finish its sweep. */
  readonly scheduled: number
  readonly completedRatio: number
  /** The loop made no progress at the end of the window. */
  readonly stalled: boolean
  readonly figures: Record<string, unknown>
}

/** Judges a run at the end of its window, the same way for both modes. */
export const judge = (tally: Tally, probe: ProbeLog, api: AlertApi.AlertApi, window: number): Verdict => {
  const scheduled = Math.floor(window / every)
  const stuck = tally.stuckLongerThan(stallAfter)
  const quietFor = tally.now() - (tally.lastEndAt ?? 0)
  const stalled = stuck !== undefined || quietFor > stallAfter
  const stalledSince = stuck !== undefined ? tally.sweepStartedAt : tally.lastEndAt ?? 0
  const completedRatio = Math.round((tally.ended / scheduled) * 100) / 100
  return {
    scheduled,
    completedRatio,
    stalled,
    figures: {
      everyMs: every,
      windowMs: window,
      sweepsScheduled: scheduled,
      sweepsStarted: tally.started,
      sweepsCompleted: tally.ended,
      completedRatio,
      sweepsSucceeded: tally.succeeded,
      ticksWithoutSweep: Math.max(0, scheduled - tally.started),
      sweepsTimedOut: tally.timedOut,
      sweepsFailed: tally.failed,
      defects: tally.defects,
      ...(stalled
        ? { stalledSinceMs: Math.round(stalledSince), stuckStage: stuck?.stage ?? "none", stuckForMs: stuck?.forMs }
        : {}),
      healthz: probe.counts(),
      ...(stalled ? { healthzWhileStalled: probe.counts(stalledSince + stallAfter) } : {}),
      alertApi: { requests: api.requests(), unanswered: api.unanswered() }
    }
  }
}
