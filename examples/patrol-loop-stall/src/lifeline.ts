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
import { Effect, Schedule } from "effect"
import type { Scope } from "effect"
import type { Context, Result } from "../../shared/Example.ts"
import * as Agent from "./Agent.ts"
import * as AlertApi from "./AlertApi.ts"
import * as Healthz from "./Healthz.ts"
import * as Replay from "./Replay.ts"
import { Tally } from "./Tally.ts"

export const run = (
  ctx: Context
): Effect.Effect<Result, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const wedge = ctx.args["wedge"] === true
    const window = Replay.windowMs(ctx.args)
    const tally = new Tally()
    const probeLog = new Healthz.ProbeLog()
    const api = yield* AlertApi.start({ silentWhen: Replay.silentWhen })

    const sup = yield* Supervisor.make({ name: "agent-runner", stopTimeout: "500 millis" })
    const healthz = yield* Healthz.serve(Supervisor.healthApp(sup))
    yield* Healthz.probe(`${healthz}/healthz`, probeLog, () => tally.now(), {
      every: Replay.probeEvery,
      timeout: Replay.probeTimeout
    })

    const client = Deadline.httpClient(yield* HttpClient.HttpClient, { label: "alert-api" })
    const agent = yield* Agent.make(client, {
      alertsUrl: api.url,
      defectOnSweep: Replay.defectOnSweep,
      wedgeOnSweep: wedge ? Replay.wedgeOnSweep : undefined,
      tally
    })
    tally.start()
    yield* Supervisor.periodic(sup, "patrol", agent.sweep, {
      every: Replay.every,
      timeout: Replay.sweepTimeout,
      grace: Replay.sweepGrace,
      // A patrol sweep that starts late is worth more than one that is skipped; further passed ticks are
      // still counted as missed.
      overrun: "run-late"
    })

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
    const verdict = Replay.judge(tally, probeLog, api, Math.max(window, Math.floor(tally.now())))
    const report = yield* Supervisor.health(sup)
    const patrol = report.children.find((child) => child.name === "patrol")
    const figures: Record<string, unknown> = {
      ...verdict.figures,
      supervisor: {
        healthy: report.healthy,
        state: patrol?.state,
        missedTicks: patrol?.missedTicks,
        lastFailure: patrol?.lastFailure?.kind ?? null
      }
    }
    if (wedge) {
      const wedgedAt = tally.wedgedAt
      const first = wedgedAt === undefined ? undefined : probeLog.first(503, wedgedAt)
      Object.assign(figures, {
        wedgedAtMs: wedgedAt === undefined ? null : Math.round(wedgedAt),
        first503Ms: first === undefined ? null : Math.round(first.atMs),
        first503AfterWedgeMs: first === undefined || wedgedAt === undefined ? null : Math.round(first.atMs - wedgedAt),
        healthzAfterWedge: wedgedAt === undefined ? {} : probeLog.counts(wedgedAt)
      })
      if (first !== undefined) {
        yield* Effect.logInfo("first 503 from /healthz").pipe(Effect.annotateLogs("body", first.body))
      }
      ctx.record(figures)
      // The wedge is not something a runner can undo; the fix is that health says so.
      return { outcome: first !== undefined ? "ok" : "stalled", figures } satisfies Result
    }
    ctx.record(figures)
    const ok = !verdict.stalled && verdict.completedRatio >= Replay.minCompletedRatio
    return { outcome: ok ? "ok" : "stalled", figures } satisfies Result
  }).pipe(Effect.provide(NodeHttpClient.layer))
