import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * The longest delay a runtime timer takes (`setTimeout` is a signed 32-bit count of milliseconds). Effect's
 * live clock treats anything longer as infinite and never wakes; {@link sleepMillis} waits in steps instead.
 */
export const maxTimerMillis = 2 ** 31 - 1

/** Milliseconds on the clock's monotonic time line (`currentTimeNanos`), with sub-millisecond precision. */
export const unsafeNow = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos()) / 1e6

export const now: Effect.Effect<number> = Effect.clockWith((clock) => Effect.sync(() => unsafeNow(clock)))

/** Sleeps `millis` on `clock`, also when that is longer than a runtime timer can wait. */
export const sleepMillisOn = (clock: Clock.Clock, millis: number): Effect.Effect<void> => {
  if (!(millis > 0)) return Effect.void
  if (millis === Number.POSITIVE_INFINITY) return Effect.never
  if (millis <= maxTimerMillis) return clock.sleep(Duration.millis(millis))
  return Effect.suspend(() => {
    const until = unsafeNow(clock) + millis
    const step: Effect.Effect<void> = Effect.suspend(() => {
      const left = until - unsafeNow(clock)
      return left <= 0
        ? Effect.void
        : Effect.zipRight(clock.sleep(Duration.millis(Math.min(left, maxTimerMillis))), step)
    })
    return step
  })
}

export const sleepMillis = (millis: number): Effect.Effect<void> =>
  Effect.clockWith((clock) => sleepMillisOn(clock, millis))

export const sleep = (duration: Duration.DurationInput): Effect.Effect<void> =>
  Effect.suspend(() => sleepMillis(Duration.toMillis(Duration.decode(duration))))
