/**
 * The code of the `@lifeline/exit` guide (`docs/guide/exit.md`) and of the operations page
 * (`docs/operations.md`), one region per snippet. The file is typechecked with the project, so the pages cannot
 * drift from the API. Names declared below the imports stand for the reader's own code. Nothing here runs:
 * each `Main.run` would end the process.
 */
// #region import
import { Main } from "@lifeline/exit"
// #endregion import
import { HttpServer } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Deadline } from "@lifeline/deadline"
import { Supervisor } from "@lifeline/supervisor"
import { Data, Effect, Exit, Layer } from "effect"
import { createServer } from "node:http"

export class SendFailed extends Data.TaggedError("SendFailed")<{ readonly endpoint: string }> {}
export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly key: string }> {}
declare const dispatch: Effect.Effect<never, SendFailed>
declare const logStats: Effect.Effect<never>
declare const collectBlocks: Effect.Effect<never, SendFailed>
declare const printFinalStats: Effect.Effect<void>
declare const readConfig: Effect.Effect<
  { readonly endpoint: string },
  ConfigError
>
declare const takeRequest: Effect.Effect<string>
declare const handle: (request: string) => Effect.Effect<void>
declare const sweep: Effect.Effect<void, Error>

export const naive = () => {
  // #region naive
  // Effect's own boundary: no grace period, no exit after a plain success, and every failure is exit 1.
  NodeRuntime.runMain(loadTest)
  // #endregion naive
}

// #region quick-start
const loadTest = Effect.gen(function* () {
  // Final stats are printed on the way out, whatever ends the run.
  yield* Effect.addFinalizer(() => printFinalStats)
  // Three background tasks; the first real failure interrupts the others.
  yield* Effect.all([dispatch, logStats, collectBlocks], { concurrency: "unbounded" })
}).pipe(Effect.scoped)

Main.run(loadTest, {
  runFor: "30 minutes", // then interrupted: exit 0, reason "duration"
  gracePeriod: "20 seconds" // finalizers get this long after SIGTERM or runFor; then exit 124
})
// #endregion quick-start

export const byTag = () => {
  // #region by-tag
  const program = Effect.gen(function* () {
    const config = yield* readConfig // ConfigError: a bad deployment, not worth a retry
    yield* Effect.log(`sending to ${config.endpoint}`)
    yield* loadTest.pipe(Deadline.within("30 minutes", { label: "run" }))
  })

  Main.run(program, {
    codes: {
      // The run's own deadline is the plan, not a failure.
      byTag: { DeadlineExceeded: 0, ConfigError: 78 }
    }
  })
  // #endregion by-tag
}

// #region exit-code
// Your own boundary, e.g. inside a larger host process: the same policy, without Main.run.
export const codeOf = (exit: Exit.Exit<unknown, unknown>): number => Main.exitCode(exit, { byTag: { ConfigError: 78 } })

// codeOf(Exit.succeed(1))                                       → 0
// codeOf(Exit.interrupt(fiberId))                               → 0
// codeOf(Exit.fail(new SendFailed({ endpoint })))               → 1
// codeOf(Exit.fail(new ConfigError({ key: "ENDPOINT" })))       → 78
// codeOf(Exit.die(new Error("bug")))                            → 70
// #endregion exit-code

export const named = () => {
  // #region named
  const shipper = Effect.gen(function* () {
    // On a hang, the summary names this fiber by its spans: "#7 shutdown > flush-logs".
    yield* Effect.addFinalizer(() => printFinalStats.pipe(Effect.withSpan("flush-logs"), Effect.withSpan("shutdown")))
    yield* dispatch.pipe(Effect.withSpan("dispatcher"))
  }).pipe(Effect.scoped)
  // #endregion named
  return shipper
}

export const drain = () => {
  // #region shutting-down
  // A worker that stops taking requests once the shutdown starts, and finishes the one in hand.
  const worker = Effect.gen(function* () {
    while (!(yield* Main.shuttingDown)) {
      const request = yield* takeRequest
      yield* handle(request).pipe(Effect.uninterruptible)
    }
  })
  // #endregion shutting-down
  return worker
}

export const readiness = () => {
  // #region readiness
  const probes = HttpServer.serve(Main.readinessApp).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: 8081 }))
  )

  const service = Effect.gen(function* () {
    // Runs first on the way out, while the server is still up: the load balancer sees /readyz answer 503
    // and stops sending traffic before the work stops.
    yield* Effect.addFinalizer(() => Effect.sleep("5 seconds"))
    return yield* Effect.never
  }).pipe(Effect.scoped, Effect.provide(probes))

  Main.run(service, { gracePeriod: "20 seconds" })
  // #endregion readiness
}

export const probes = () => {
  // #region probes
  const agent = Effect.gen(function* () {
    const sup = yield* Supervisor.make({ name: "agent-runner" })
    yield* Supervisor.periodic(sup, "patrol", sweep, { every: "1 hour", timeout: "5 minutes" })
    yield* HttpServer.serveEffect(Supervisor.healthApp(sup)) // liveness: GET /healthz
    yield* Supervisor.join(sup)
  }).pipe(Effect.scoped, Effect.provide(NodeHttpServer.layer(createServer, { port: 8080 })))

  // Readiness on its own port: GET /readyz turns 503 the moment SIGTERM arrives.
  const readiness = HttpServer.serve(Main.readinessApp).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: 8081 }))
  )

  Main.run(agent.pipe(Effect.provide(readiness)), { gracePeriod: "20 seconds" })
  // #endregion probes
}
