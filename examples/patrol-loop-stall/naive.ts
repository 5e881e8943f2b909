/**
 * The runner as it was in patrol-loop-stall: sweeps repeated on a fixed schedule with no deadline, typed
 * errors logged and swallowed, no recovery from defects, no supervision, and a `/healthz` that says ok as
 * long as the process can answer HTTP.
 */
import { HttpClient, HttpServerResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Schedule, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import * as Agent from "./agent.ts"
import * as AlertApi from "./alertApi.ts"
import * as Healthz from "./healthz.ts"
import type { NaiveFigures } from "./judge.ts"
import * as Replay from "./replay.ts"
import { Tally } from "./tally.ts"

export const run = (ctx: Context<NaiveFigures>): Effect.Effect<NaiveFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const window = Replay.windowMs(ctx.args)
    const tally = new Tally()
    const probeLog = new Healthz.ProbeLog()
    Replay.record(ctx, tally, probeLog)
    const api = yield* AlertApi.start({ silentWhen: Replay.silentWhen })

    // #region runner
    // A health handler that only proves the HTTP server is up.
    const healthz = yield* Healthz.serve(Effect.succeed(HttpServerResponse.unsafeJson({ status: "ok" })))
    const agent = yield* Agent.make(yield* HttpClient.HttpClient, {
      alertsUrl: api.url,
      defectOnSweep: Replay.defectOnSweep,
      wedgeOnSweep: ctx.args["wedge"] === true ? Replay.wedgeOnSweep : undefined,
      tally
    })
    // Typed failures are logged and swallowed; a defect ends the loop, and nothing bounds a sweep.
    const sweep = agent.sweep.pipe(Effect.catchAll((error) => Effect.logError("sweep failed", error)))
    // #endregion runner

    yield* Healthz.probe(`${healthz}/healthz`, probeLog, () => tally.now(), {
      every: Replay.probeEvery,
      timeout: Replay.probeTimeout
    })
    tally.start()
    // #region loop
    // Schedule.fixed drops the ticks that fall while a sweep is still running, without a trace.
    yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.fixed(Replay.every)))
    // #endregion loop

    yield* Replay.until(tally, window)
    const figures = Replay.observe(tally, probeLog, api, window)
    ctx.record(figures)
    return figures
  }).pipe(Effect.provide(NodeHttpClient.layer))
