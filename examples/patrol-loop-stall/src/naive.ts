/**
 * The runner as it was in incident 001: sweeps repeated on a fixed schedule with no deadline, typed errors
 * logged and swallowed, no recovery from defects, no supervision, and a `/healthz` that says ok as long as
 * the process can answer HTTP.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { HttpClient, HttpServerResponse } from "@effect/platform"
import { Effect, Schedule } from "effect"
import type { Scope } from "effect"
import type { Context, Result } from "../../shared/Example.ts"
import * as Agent from "./Agent.ts"
import * as AlertApi from "./AlertApi.ts"
import * as Healthz from "./Healthz.ts"
import * as Replay from "./Replay.ts"
import { Tally } from "./Tally.ts"

/** A health handler that only proves the HTTP server is up. */
const alwaysOk = Effect.succeed(HttpServerResponse.unsafeJson({ status: "ok" }))

export const run = (ctx: Context): Effect.Effect<Result, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const window = Replay.windowMs(ctx.args)
    const tally = new Tally()
    const probeLog = new Healthz.ProbeLog()
    const api = yield* AlertApi.start({ silentWhen: Replay.silentWhen })

    const healthz = yield* Healthz.serve(alwaysOk)
    yield* Healthz.probe(`${healthz}/healthz`, probeLog, () => tally.now(), {
      every: Replay.probeEvery,
      timeout: Replay.probeTimeout
    })

    const agent = yield* Agent.make(yield* HttpClient.HttpClient, {
      alertsUrl: api.url,
      defectOnSweep: Replay.defectOnSweep,
      wedgeOnSweep: ctx.args["wedge"] === true ? Replay.wedgeOnSweep : undefined,
      tally
    })
    const sweep = agent.sweep.pipe(Effect.catchAll((error) => Effect.logError("sweep failed", error)))
    // Schedule.fixed drops the ticks that fall while a sweep is still running, without a trace.
    tally.start()
    yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.fixed(Replay.every)))

    yield* Replay.until(tally, window)
    const verdict = Replay.judge(tally, probeLog, api, window)
    ctx.record(verdict.figures)
    return { outcome: verdict.stalled ? "stalled" : "ok", figures: verdict.figures } satisfies Result
  }).pipe(Effect.provide(NodeHttpClient.layer))
