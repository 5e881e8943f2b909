/**
 * The code of the `@lifeline/supervisor` guide (`docs/guide/supervisor.md`), one region per snippet. The file is
 * typechecked with the project, so the guide cannot drift from the API. Names declared below the imports stand
 * for the reader's own code.
 */
// #region import
import { Supervisor } from "@lifeline/supervisor"
// #endregion import
import { HttpServer } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Deadline } from "@lifeline/deadline"
import { Effect, Schedule } from "effect"
import { createServer } from "node:http"

declare const collect: Effect.Effect<ReadonlyArray<string>, Error>
declare const analyze: (alerts: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>>
declare const execute: (plan: ReadonlyArray<string>) => Effect.Effect<void, Error>
declare const consumeAlerts: Effect.Effect<never, Error>
declare const warmCaches: Effect.Effect<void>
declare const rotateKeys: Effect.Effect<void, Error>

// #region quick-start
const sweep = Effect.gen(function* () {
  const alerts = yield* collect // calls the alert API
  const plan = yield* analyze(alerts)
  yield* execute(plan)
})

const main = Effect.scoped(Effect.gen(function* () {
  const sup = yield* Supervisor.make({
    name: "agents",
    intensity: { maxRestarts: 5, within: "1 minute" },
    stopTimeout: "5 seconds"
  })
  yield* Supervisor.periodic(sup, "patrol", sweep, { every: "1 hour", timeout: "5 minutes" })
  yield* Supervisor.keepAlive(sup, "alert-stream", consumeAlerts)
  yield* HttpServer.serveEffect(Supervisor.healthApp(sup)) // GET /healthz → 200 or 503
  yield* Supervisor.join(sup) // fails with RestartIntensityExceeded on escalation
}))

main.pipe(
  Effect.provide(NodeHttpServer.layer(createServer, { port: 8080 })),
  NodeRuntime.runMain
)
// #endregion quick-start

export const dataLast = (sup: Supervisor.Supervisor) =>
  // #region data-last
  sup.pipe(Supervisor.periodic("patrol", sweep, { every: "1 hour", timeout: "5 minutes" }))
// #endregion data-last

export const periodicOptions = (sup: Supervisor.Supervisor) =>
  // #region periodic
  Supervisor.periodic(sup, "patrol", sweep, {
    every: "1 hour", // runs due at start + k × 1 hour, the first at once
    timeout: "5 minutes", // each run: Deadline.within("5 minutes")
    grace: "1 second", // then an uninterruptible run is abandoned and the loop goes on
    overrun: "skip", // ticks passed during an overrun are missed and counted
    staleAfter: "3 hours" // no success for 3 hours: stalled, /healthz 503
  })
// #endregion periodic

export const monthly = (sup: Supervisor.Supervisor) =>
  // #region long-period
  // 30 days is past what a runtime timer can wait (2^31−1 ms); the supervisor still wakes on time.
  Supervisor.periodic(sup, "rotate-keys", rotateKeys, { every: "30 days", timeout: "10 minutes" })
// #endregion long-period

export const keepAliveOptions = (sup: Supervisor.Supervisor) =>
  // #region keep-alive
  Supervisor.keepAlive(sup, "alert-stream", consumeAlerts, {
    // Reconnect after 1 s, 2 s, 4 s … at most 10 times in a row; then the child is given up ("failed").
    restart: Schedule.exponential("1 second").pipe(Schedule.intersect(Schedule.recurs(10))),
    // A connection that lasted 10 minutes was a good one: the next failure starts the backoff over.
    resetAfter: "10 minutes"
  })
// #endregion keep-alive

// #region join
export const service = Effect.scoped(Effect.gen(function* () {
  const sup = yield* Supervisor.make({ name: "agents", intensity: { maxRestarts: 3, within: "10 seconds" } })
  yield* Supervisor.keepAlive(sup, "alert-stream", consumeAlerts)
  yield* Supervisor.join(sup).pipe(
    Effect.catchTag("RestartIntensityExceeded", (e) =>
      // Crash-looping: end main, and let the process (or Kubernetes) restart the whole service.
      Effect.logError(`${e.child} restarted ${e.restarts} times within the window`).pipe(
        Effect.zipRight(Effect.fail(e))
      ))
  )
}))
// #endregion join

// #region detached
export const startup = Effect.scoped(Effect.gen(function* () {
  const sup = yield* Supervisor.make({ name: "agents" })
  yield* Effect.gen(function* () {
    yield* warmCaches
    // Started under the startup deadline, but not bound by it: inside the child `Deadline.remaining` is None,
    // and every run of the patrol gets its own 5 minutes.
    yield* Supervisor.periodic(sup, "patrol", sweep, { every: "1 hour", timeout: "5 minutes" })
  }).pipe(Deadline.within("30 seconds", { label: "startup" }))
  yield* Supervisor.join(sup)
}))
// #endregion detached

export const inspect = (sup: Supervisor.Supervisor) =>
  // #region health
  Effect.gen(function* () {
    const report = yield* Supervisor.health(sup)
    for (const child of report.children) {
      if (child.state === "stalled") yield* Effect.logWarning(`${child.name} makes no progress`)
      // Work abandoned at its deadline keeps running detached: a growing count is a leak to look at.
      if (child.abandonedRuns > 0) yield* Effect.logWarning(`${child.name}: ${child.abandonedRuns} run(s) abandoned`)
    }
    return report.healthy
  })
// #endregion health

// #region testing
import { expect, it } from "@effect/vitest"
import { TestClock } from "effect"

it.scoped("a hung sweep is cut at its timeout and the loop goes on", () =>
  Effect.gen(function* () {
    const sup = yield* Supervisor.make({ name: "test" })
    yield* Supervisor.periodic(sup, "sweep", Effect.never, { every: "1 second", timeout: "300 millis" })
    yield* TestClock.adjust("1500 millis")
    const [child] = (yield* Supervisor.health(sup)).children
    expect(child?.lastFailure?.kind).toBe("timeout")
  }))
// #endregion testing

// #region report
export const report: Supervisor.Health = {
  healthy: false,
  supervisor: "agents",
  children: [{
    name: "patrol",
    kind: "periodic",
    state: "stalled", // "running" | "backing-off" | "stalled" | "failed"
    restarts: 0,
    lastSuccessAt: new Date("2025-01-01T09:00:04Z"),
    lastFailure: { at: new Date("2025-01-01T10:05:01Z"), kind: "timeout", message: "agents/patrol: deadline of 5m …" },
    consecutiveFailures: 1,
    missedTicks: 0,
    abandonedRuns: 1
  }]
}
// #endregion report
