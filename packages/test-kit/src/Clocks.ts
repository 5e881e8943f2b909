import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"

/**
 * Moves the TestClock forward by `total` in steps of `step`, so that chains of sleeps started by woken fibers
 * fire in order, as they would in real time.
 */
export const advance = (total: Duration.DurationInput, step: Duration.DurationInput = "100 millis") =>
  Effect.gen(function* () {
    const totalMs = Duration.toMillis(Duration.decode(total))
    const stepMs = Duration.toMillis(Duration.decode(step))
    for (let moved = 0; moved < totalMs; moved += stepMs) {
      yield* TestClock.adjust(Duration.millis(Math.min(stepMs, totalMs - moved)))
    }
  })

/** The current clock's time in milliseconds (the TestClock's, in a test). */
export const now: Effect.Effect<number> = Effect.clockWith((clock) => clock.currentTimeMillis)

/**
 * A clock derived from another; only what is overridden differs. The base is its prototype, so a TestClock
 * stays a TestClock (`TestClock.adjust` finds the clock in the context and calls its methods).
 */
const derive = (base: Clock.Clock, overrides: Partial<Clock.Clock>): Clock.Clock =>
  Object.assign(Object.create(base) as Clock.Clock, overrides)

/** Milliseconds of a step; `"-1 hour"` is a step back (Effect's `Duration.decode` reads any negative as zero). */
const toSignedMillis = (by: Duration.DurationInput | number): number => {
  if (typeof by === "number") return by
  if (typeof by === "string" && by.trimStart().startsWith("-")) {
    return -Duration.toMillis(Duration.decode(by.trimStart().slice(1) as Duration.DurationInput))
  }
  return Duration.toMillis(Duration.decode(by))
}

/** A wall clock that an operator (or NTP) can step, in front of an unchanged monotonic clock. */
export interface SteppableWallClock {
  /** Moves the wall clock by `by` (`"-1 hour"` or a negative number: back). Monotonic time and sleeps are unaffected. */
  readonly step: (by: Duration.DurationInput | number) => Effect.Effect<void>
}

/**
 * Runs `f` with a clock whose `currentTimeMillis` (wall time) can be stepped while `currentTimeNanos`
 * (monotonic time) and `sleep` stay those of the clock in place (the TestClock in a test). Code that measures
 * durations on the wall clock jumps with the step; code on the monotonic clock does not notice it.
 */
export const withWallClock = <A, E, R>(
  f: (wall: SteppableWallClock) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.clockWith((base) => {
    let offset = 0
    const wallMillis = () => base.unsafeCurrentTimeMillis() + offset
    // The monotonic readings are bound to the base: a TestClock derives its nanos from `this`'s millis.
    const clock = derive(base, {
      unsafeCurrentTimeMillis: wallMillis,
      currentTimeMillis: Effect.sync(wallMillis),
      unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
      currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos())
    })
    const wall: SteppableWallClock = {
      step: (by) =>
        Effect.sync(() => {
          offset += toSignedMillis(by)
        })
    }
    return Effect.withClock(f(wall), clock)
  })

/** The longest delay a runtime timer (`setTimeout`) takes. */
export const maxTimerMillis = 2 ** 31 - 1

/**
 * Runs `self` with a clock whose sleeps longer than 2^31−1 ms never wake, as on Effect's live clock (which
 * treats them as infinite because no runtime timer can wait that long); shorter ones are the clock in place.
 */
export const withRuntimeTimers = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.clockWith((base) =>
    Effect.withClock(
      self,
      derive(base, {
        sleep: (duration) => Duration.toMillis(duration) > maxTimerMillis ? Effect.never : base.sleep(duration)
      })
    )
  )
