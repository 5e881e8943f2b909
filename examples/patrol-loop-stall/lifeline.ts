/**
 * The runner with Lifeline: the sweep runs under `Supervisor.periodic`, so every sweep has a deadline (and
 * the alert API call inside it a budget through `Deadline.httpClient`), a defect is logged with its stack
 * and the loop goes on, missed ticks are counted, and `/healthz` is `Supervisor.healthApp` — it reports
 * whether sweeps succeed, not whether the process answers HTTP.
 *
 * With `--wedge`, one sweep wedges in uninterruptible code while holding the executor. No deadline can
 * stop that; what Lifeline guarantees instead is that the loop keeps ticking and `/healthz` turns 503, so
 * a liveness probe restarts the process.
 */
import { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Deadline } from "@lifeline/deadline"
import { Supervisor } from "@lifeline/supervisor"
import { Effect, Schedule, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import * as Agent from "./agent.ts"
import * as AlertApi from "./alertApi.ts"
import * as Healthz from "./healthz.ts"
import type { LifelineFigures, WedgeFigures } from "./judge.ts"
import * as Metrics from "./metrics.ts"
import * as Replay from "./replay.ts"
import { Tally } from "./tally.ts"

export const run = (ctx: Context<LifelineFigures>): Effect.Effect<LifelineFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const wedge = ctx.args["wedge"] === true
    const window = Replay.windowMs(ctx.args)
    const tally = new Tally()
    const probeLog = new Healthz.ProbeLog()
    Replay.record(ctx, tally, probeLog)
    const api = yield* AlertApi.start({ silentWhen: Replay.silentWhen })

    const listen = yield* Replay.listenOf(ctx.args)

    // #region runner
    const sup = yield* Supervisor.make({ name: "agent-runner", stopTimeout: Replay.stopTimeout })
    // `/healthz` answers 200 or 503 with the supervisor's report: progress, not just a live process.
    // `/metrics` beside it: the `lifeline_*` counters in Prometheus's format (`metrics.ts`).
    const app = yield* Metrics.beside(Supervisor.healthApp(sup), "agent-runner")
    const healthz = yield* Healthz.serve(app, listen) // in a pod: --listen 0.0.0.0:8080
    // Every request sees the remaining budget of the sweep it belongs to.
    const client = Deadline.httpClient(yield* HttpClient.HttpClient, { label: "alert-api" })
    const agent = yield* Agent.make(client, {
      alertsUrl: api.url,
      defectOnSweep: Replay.defectOnSweep,
      wedgeOnSweep: wedge ? Replay.wedgeOnSweep : undefined,
      tally
    })
    // #endregion runner
    yield* Effect.logInfo("serving /healthz and /metrics").pipe(Effect.annotateLogs({ url: healthz }))

    yield* Healthz.probe(`${healthz}/healthz`, probeLog, () => tally.now(), {
      every: Replay.probeEvery,
      timeout: Replay.probeTimeout
    })
    tally.start()
    // #region loop
    yield* Supervisor.periodic(sup, "patrol", agent.sweep, {
      every: Replay.every, // "1 hour" in production
      timeout: Replay.sweepTimeout, // each run is bounded by Deadline.within(timeout)
      grace: Replay.sweepGrace, // then what ignores interruption is abandoned
      staleAfter: Replay.staleAfter, // no success for this long: /healthz says 503
      // A patrol sweep that starts late is worth more than one that is skipped; further passed ticks are
      // still counted as missed.
      overrun: "run-late"
    })
    // #endregion loop

    yield* Replay.until(tally, window)
    if (wedge) {
      // On a starved machine sweep 5 can come late: watch for a fixed time after the wedge, whenever it came.
      yield* Replay.until(tally, Replay.wedgeWatchCap).pipe(
        Effect.raceFirst(
          Effect.suspend(() =>
            tally.wedgedAt === undefined
              ? Effect.fail("not yet")
              : Replay.until(tally, tally.wedgedAt + Replay.wedgeWatch)
          ).pipe(Effect.retry(Schedule.spaced("50 millis")))
        )
      )
    }
    const report = yield* Supervisor.health(sup)
    const patrol = report.children.find((child) => child.name === "patrol")
    const figures: LifelineFigures = {
      ...Replay.observe(tally, probeLog, api, Math.max(window, Math.floor(tally.now()))),
      supervisor: {
        healthy: report.healthy,
        state: patrol?.state ?? null,
        missedTicks: patrol?.missedTicks ?? null,
        lastFailure: patrol?.lastFailure?.kind ?? null
      },
      ...(wedge ? { wedge: wedgeFigures(tally, probeLog) } : {})
    }
    const first503 = tally.wedgedAt === undefined ? undefined : probeLog.first(503, tally.wedgedAt)
    if (wedge && first503 !== undefined) {
      yield* Effect.logInfo("first 503 from /healthz").pipe(Effect.annotateLogs("body", first503.body))
    }
    ctx.record(figures)
    return figures
  }).pipe(Effect.provide(NodeHttpClient.layer))

/** When the wedge began, and when the probe first saw `/healthz` say 503 after it. */
const wedgeFigures = (tally: Tally, probeLog: Healthz.ProbeLog): WedgeFigures => {
  const at = tally.wedgedAt
  const first = at === undefined ? undefined : probeLog.first(503, at)
  return {
    atMs: at === undefined ? null : Math.round(at),
    first503Ms: first === undefined ? null : Math.round(first.atMs),
    first503AfterMs: first === undefined || at === undefined ? null : Math.round(first.atMs - at),
    healthzAfter: at === undefined ? {} : probeLog.counts(at)
  }
}
