/**
 * Waiting for a part of a replay's environment to be ready: never longer than its deadline, and not at all
 * once the part is known to be dead. On TestClock, so no test waits for real time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { EnvironmentError, ready } from "../Environment.ts"

describe("Environment.ready", () => {
  it.effect("a part that becomes ready is returned as it is", () =>
    Effect.gen(function* () {
      const port = yield* Effect.succeed(4321).pipe(ready({ part: "the log API", within: "10 seconds" }))
      expect(port).toBe(4321)
    }))

  it.effect("a part that dies before it is ready fails the wait at once, with why", () =>
    Effect.gen(function* () {
      const died = yield* Deferred.make<string>()
      const fiber = yield* Effect.never.pipe(
        ready({ part: "the job", within: "20 seconds", died: Deferred.await(died) }),
        Effect.fork
      )
      yield* Deferred.succeed(died, "it exited with code 2 before it connected: job: --mb must be a positive number")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toStrictEqual(
        Exit.fail(
          new EnvironmentError({
            part: "the job",
            reason: "it exited with code 2 before it connected: job: --mb must be a positive number"
          })
        )
      )
    }))

  it.effect("a part that never becomes ready fails at its deadline, not later", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.never.pipe(ready({ part: "the /healthz server", within: "10 seconds" }), Effect.fork)
      yield* TestClock.adjust("9999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(exit)
      expect(error).toBeInstanceOf(EnvironmentError)
      expect(error.message).toBe("the /healthz server did not start: not ready in time")
    }))

  it.effect("a part that fails to start is named in the error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.fail(new Error("listen EADDRINUSE: address already in use 127.0.0.1:8080")).pipe(
        ready({ part: "the alert API", within: "10 seconds" }),
        Effect.flip
      )
      expect(error.part).toBe("the alert API")
      expect(error.message).toBe(
        "the alert API did not start: listen EADDRINUSE: address already in use 127.0.0.1:8080"
      )
    }))
})
