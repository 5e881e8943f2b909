/**
 * Deadlines are measured on the monotonic clock: a step of the wall clock (NTP, an operator) neither fires
 * them early nor holds them back, and budgets longer than a runtime timer can wait still fire.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { Deadline, Monotonic } from "@lifeline/deadline"
import { withRuntimeTimers, withWallClock } from "@lifeline/test-kit"

const exceeded = <A, E>(exit: Exit.Exit<A, E>): Deadline.DeadlineExceeded | undefined => {
  const failure = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
  return failure instanceof Deadline.DeadlineExceeded ? failure : undefined
}

describe("deadlines on the monotonic clock", () => {
  it.effect("a wall clock stepped an hour forward does not fail nested deadlines", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const program = Effect.gen(function* () {
          yield* Effect.sleep("1 second")
          yield* wall.step("1 hour")
          return yield* Effect.as(Effect.sleep("2 seconds"), "done").pipe(
            Deadline.within("5 seconds", { label: "inner" })
          )
        }).pipe(Deadline.within("10 seconds", { label: "outer" }))
        const fiber = yield* Effect.fork(Effect.exit(program))
        yield* TestClock.adjust("1 second")
        yield* TestClock.adjust("2 seconds")
        expect(yield* Fiber.join(fiber)).toStrictEqual(Exit.succeed("done"))
      })
    ))

  it.effect("a wall clock stepped an hour back does not hold a deadline back", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const program = Effect.gen(function* () {
          yield* Effect.sleep("1 second")
          yield* wall.step("-1 hour")
          return yield* Effect.never.pipe(Deadline.within("5 seconds", { label: "inner" }))
        }).pipe(Deadline.within("3 seconds", { label: "outer" }))
        const fiber = yield* Effect.fork(Effect.exit(program))
        yield* TestClock.adjust("1 second")
        yield* TestClock.adjust("2 seconds")
        const error = exceeded(yield* Fiber.join(fiber))
        expect(error?.label).toBe("inner")
        expect(error?.inherited).toBe(true)
        expect(Duration.toMillis(error!.elapsed)).toBe(2000)
      })
    ))

  it.effect("remaining and elapsed ignore a step of the wall clock", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const program = Effect.gen(function* () {
          yield* wall.step("1 hour")
          yield* Effect.sleep("1 second")
          return yield* Deadline.remaining
        }).pipe(Deadline.within("4 seconds"))
        const fiber = yield* Effect.fork(program)
        yield* TestClock.adjust("1 second")
        expect(Option.map(yield* Fiber.join(fiber), Duration.toMillis)).toStrictEqual(Option.some(3000))
      })
    ))
})

describe("deadlines longer than a runtime timer can wait", () => {
  it.effect("a 30-day budget fires after 30 days (Effect's live clock never wakes a sleep over 2^31−1 ms)", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.exit(Deadline.within(Effect.never, "30 days", { label: "month" })))
        yield* TestClock.adjust("29 days")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 day")
        const error = exceeded(yield* Fiber.join(fiber))
        expect(error?.label).toBe("month")
        expect(Duration.toDays(error!.elapsed)).toBe(30)
      })
    ))

  it.effect("a grace of 30 days still ends in abandonment", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        const work = Effect.uninterruptible(Effect.never)
        const fiber = yield* Effect.fork(Effect.exit(Deadline.within(work, "1 second", { grace: "30 days" })))
        yield* TestClock.adjust("1 second")
        yield* TestClock.adjust("30 days")
        expect(exceeded(yield* Fiber.join(fiber))?.abandoned).toBe(true)
      })
    ))

  it.effect("Monotonic.sleep wakes after 40 days", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Monotonic.sleep("40 days"))
        yield* TestClock.adjust("39 days")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 day")
        expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.void)
      })
    ))

  it.effect("the runtime-timer clock of the test kit really never wakes a long Effect.sleep", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.sleep("30 days"))
        yield* TestClock.adjust("31 days")
        expect(fiber.unsafePoll()).toBeNull()
        yield* Fiber.interrupt(fiber)
      })
    ))
})
