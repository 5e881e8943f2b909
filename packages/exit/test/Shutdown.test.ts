/**
 * The shutdown sequence of `Main.run`, driven in-process with a `TestClock` and a controller standing in for
 * the runtime's signals and crashes. The real processes are in `Process.test.ts`.
 */
import { describe, expect, it } from "@effect/vitest"
import { makeCapturedLogs, withRuntimeTimers } from "@lifeline/test-kit"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import type { Main } from "../src/index.ts"
import { resolve } from "../src/internal/options.ts"
import { Controller, shuttingDown } from "../src/internal/shutdown.ts"
import { type Outcome, supervise } from "../src/internal/supervise.ts"

class Canceled extends Data.TaggedError("Canceled") {}
class SendFailed extends Data.TaggedError("SendFailed")<{ readonly endpoint: string }> {}

const options = (o?: Main.RunOptions) => Either.getOrThrow(resolve(o))

interface Harness {
  readonly controller: Controller
  readonly events: Array<string>
  readonly ready: Deferred.Deferred<void>
  /** Starts the run and waits until the program has reached its `ready`. */
  readonly start: <A, E>(
    program: Effect.Effect<A, E>,
    o?: Main.RunOptions
  ) => Effect.Effect<Fiber.RuntimeFiber<Outcome>>
}

const harness = Effect.gen(function* () {
  const controller = new Controller({ started: false })
  const events: Array<string> = []
  const ready = yield* Deferred.make<void>()
  const start = <A, E>(program: Effect.Effect<A, E>, o?: Main.RunOptions) =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(supervise(program, options(o), controller))
      yield* Deferred.await(ready)
      return fiber
    })
  return { controller, events, ready, start } satisfies Harness
})

/** A service: records its finalizer, announces it is ready, waits. */
const service = (h: Harness, finalizer: Effect.Effect<void> = Effect.void) =>
  Effect.gen(function* () {
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        h.events.push(`finalizer (shutting down: ${yield* shuttingDown})`)
        yield* finalizer
        h.events.push("finalizer done")
      })
    )
    yield* Deferred.succeed(h.ready, undefined)
    return yield* Effect.never
  }).pipe(Effect.scoped)

/** True while the fiber has not ended, after every pending step has run. */
const stillRunning = (fiber: Fiber.RuntimeFiber<Outcome>) =>
  Effect.map(Effect.zipRight(TestClock.adjust(0), fiber.poll), (exit) => exit._tag === "None")

describe("the shutdown sequence", () => {
  it.effect("a program that succeeds ends the run with 0, reason completed, and no signal", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const outcome = yield* supervise(Effect.succeed("done"), options(), h.controller)
      expect(outcome).toEqual({
        code: 0,
        reason: "completed",
        signal: undefined,
        elapsedMs: 0,
        stillRunning: undefined
      })
    }))

  it.effect("a signal interrupts the program; its finalizers run, see the shutdown, and the code is 0", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const run = yield* h.start(service(h, Effect.sleep("2 seconds")))
      expect(h.controller.state.started).toBe(false)
      yield* TestClock.adjust("3 seconds")
      h.controller.signal("SIGTERM")
      expect(h.controller.state.started).toBe(true)
      yield* TestClock.adjust("2 seconds")
      const outcome = yield* Fiber.join(run)
      expect(outcome).toEqual({
        code: 0,
        reason: "signal",
        signal: "SIGTERM",
        elapsedMs: 5000,
        stillRunning: undefined
      })
      expect(h.events).toEqual(["finalizer (shutting down: true)", "finalizer done"])
    }))

  it.effect("a finalizer still running at the grace period ends the run with 124, naming what still runs", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const program = Effect.gen(function* () {
        // a child that ignores interruption, and a daemon nothing interrupts
        yield* Effect.fork(Effect.never.pipe(Effect.withSpan("dispatcher"), Effect.uninterruptible))
        yield* Effect.forkDaemon(
          Effect.never.pipe(Effect.withLogSpan("stats-logger"), Effect.annotateLogs("loop", "stats"))
        )
        yield* service(h, Effect.never.pipe(Effect.withSpan("flush-logs"), Effect.withSpan("shutdown")))
      })
      const run = yield* h.start(program, { gracePeriod: "3 seconds" })
      h.controller.signal("SIGINT")
      yield* TestClock.adjust("2999 millis")
      expect(yield* stillRunning(run)).toBe(true)
      yield* TestClock.adjust("1 milli")
      const outcome = yield* Fiber.join(run)
      console.log("stillRunning:", outcome.stillRunning)
      expect(outcome).toMatchObject({ code: 124, reason: "grace-exceeded", signal: "SIGINT", elapsedMs: 3000 })
      expect(outcome.stillRunning![0]).toMatch(/^#\d+ shutdown > flush-logs$/)
      expect(outcome.stillRunning).toContainEqual(expect.stringMatching(/^#\d+ dispatcher$/))
      expect(outcome.stillRunning).toContainEqual(expect.stringMatching(/^#\d+ stats-logger \{loop=stats\}$/))
    }))

  it.effect("a second signal during the grace period ends the run at once", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const run = yield* h.start(service(h, Effect.never), { gracePeriod: "30 seconds" })
      h.controller.signal("SIGTERM")
      yield* TestClock.adjust("1 second")
      expect(yield* stillRunning(run)).toBe(true)
      h.controller.signal("SIGTERM")
      expect(yield* stillRunning(run)).toBe(false)
      expect(yield* Fiber.join(run)).toMatchObject({ code: 124, reason: "grace-exceeded", elapsedMs: 1000 })
    }))

  it.effect("runFor interrupts the program and counts as success; a first signal during its drain does not cut it", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const run = yield* h.start(service(h, Effect.sleep("4 seconds")), {
        runFor: "1 minute",
        gracePeriod: "10 seconds"
      })
      yield* TestClock.adjust("1 minute")
      expect(h.controller.state.started).toBe(true)
      h.controller.signal("SIGTERM") // the kubelet at the Job's deadline
      expect(yield* stillRunning(run)).toBe(true)
      yield* TestClock.adjust("4 seconds")
      expect(yield* Fiber.join(run)).toEqual({
        code: 0,
        reason: "duration",
        signal: undefined,
        elapsedMs: 64_000,
        stillRunning: undefined
      })
      expect(h.events).toEqual(["finalizer (shutting down: true)", "finalizer done"])
    }))

  it.effect("runFor longer than a runtime timer can wait still ends the run", () =>
    withRuntimeTimers(Effect.gen(function* () {
      const h = yield* harness
      const run = yield* h.start(service(h), { runFor: "30 days" })
      yield* TestClock.adjust("30 days")
      expect(yield* Fiber.join(run)).toMatchObject({ code: 0, reason: "duration" })
    })))

  it.effect("a crash outside the program interrupts it, runs its finalizers, logs the error and ends with 70", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const h = yield* harness
      const run = yield* h.start(service(h, Effect.sleep("1 second")))
      h.controller.crash(new Error("stray callback"), "uncaughtException")
      yield* TestClock.adjust("1 second")
      const outcome = yield* Fiber.join(run).pipe(Effect.provide(logs.replace))
      expect(outcome).toEqual({
        code: 70,
        reason: "defect",
        signal: undefined,
        elapsedMs: 1000,
        stillRunning: undefined
      })
      expect(h.events).toEqual(["finalizer (shutting down: true)", "finalizer done"])
    }).pipe(Effect.provide(makeCapturedLogs().replace)))

  it.effect("an unhandled rejection during a signal's grace period turns the code into 70", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const h = yield* harness
      const run = yield* h.start(service(h, Effect.sleep("1 second"))).pipe(Effect.provide(logs.replace))
      h.controller.signal("SIGTERM")
      yield* TestClock.adjust("500 millis")
      h.controller.crash(new Error("stray promise"), "unhandledRejection")
      yield* TestClock.adjust("500 millis")
      expect(yield* Fiber.join(run)).toMatchObject({ code: 70, reason: "defect", signal: "SIGTERM" })
      expect(logs.find("ERROR", "unhandledRejection outside the program"))
        .toHaveLength(1)
      expect(logs.find("ERROR", "unhandledRejection outside the program")[0]!.cause).toContain("stray promise")
    }))

  it.effect("a typed failure ends the run with 1, or with its code from byTag, and is logged with its cause", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const h = yield* harness
      const failing = Effect.fail(new SendFailed({ endpoint: "http://127.0.0.1:1" }))
      const plain = yield* supervise(failing, options(), h.controller).pipe(Effect.provide(logs.replace))
      expect(plain).toMatchObject({ code: 1, reason: "failed" })
      expect(logs.find("ERROR", "program failed")[0]!.cause).toContain("SendFailed")
      const mapped = yield* supervise(failing, options({ codes: { byTag: { SendFailed: 75 } } }), h.controller)
        .pipe(Effect.provide(logs.replace))
      expect(mapped).toMatchObject({ code: 75, reason: "failed" })
    }))

  it.effect("a defect in the program ends the run with 70", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const outcome = yield* supervise(Effect.die(new Error("bug")), options(), h.controller)
      expect(outcome).toMatchObject({ code: 70, reason: "defect" })
    }).pipe(Effect.provide(makeCapturedLogs().replace)))

  it.effect("background work that turns its interruption into an error still fails the run (the incident's shape)", () =>
    Effect.gen(function* () {
      const h = yield* harness
      // As in the load generator: the work notices it was cancelled and reports that as an error.
      const program = Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          yield* Deferred.succeed(h.ready, undefined)
          return yield* restore(Effect.never)
        }).pipe(Effect.catchAllCause(() => Effect.fail(new Canceled())))
      )
      const run = yield* h.start(program)
      h.controller.signal("SIGTERM")
      expect(yield* Fiber.join(run)).toMatchObject({ code: 1, reason: "failed", signal: "SIGTERM" })
    }).pipe(Effect.provide(makeCapturedLogs().replace)))

  it.effect("a grace period of 0 ends the run as soon as a finalizer has to wait", () =>
    Effect.gen(function* () {
      const h = yield* harness
      const run = yield* h.start(service(h, Effect.sleep("1 milli")), { gracePeriod: 0 })
      h.controller.signal("SIGTERM")
      expect(yield* Fiber.join(run)).toMatchObject({ code: 124, reason: "grace-exceeded", elapsedMs: 0 })
    }).pipe(Effect.provide(makeCapturedLogs().replace)))

  it.effect("a signal that arrives before the program's first step still shuts it down cleanly", () =>
    Effect.gen(function* () {
      const h = yield* harness
      h.controller.signal("SIGTERM")
      const outcome = yield* supervise(service(h), options(), h.controller)
      expect(outcome).toMatchObject({ code: 0, reason: "signal", signal: "SIGTERM" })
    }))

  it.effect("shuttingDown is false outside a run and inside a run until the shutdown starts", () =>
    Effect.gen(function* () {
      expect(yield* shuttingDown).toBe(false)
      const h = yield* harness
      const seen: Array<boolean> = []
      const program = Effect.gen(function* () {
        seen.push(yield* shuttingDown)
        yield* Deferred.succeed(h.ready, undefined)
        yield* Effect.never.pipe(Effect.onInterrupt(() => Effect.map(shuttingDown, (s) => void seen.push(s))))
      })
      const run = yield* h.start(program, { gracePeriod: Duration.seconds(1) })
      h.controller.signal("SIGTERM")
      yield* Fiber.join(run)
      expect(seen).toEqual([false, true])
      expect(yield* shuttingDown).toBe(false)
    }))
})
