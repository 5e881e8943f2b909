import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

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

/** Stops a scheduled callback; completes once it can no longer run. */
export type Cancel = Effect.Effect<void>

const liveClockPrototype: object | null = Object.getPrototypeOf(Clock.make())

/** Effect's own live clock, whose sleeps are runtime timers: a timer can be set without a fiber to sleep on it. */
const isLiveClock = (clock: Clock.Clock): boolean => Object.getPrototypeOf(clock) === liveClockPrototype

/**
 * Calls `fire` once, `millis` from now on `clock` (also past 2^31−1 ms), unless cancelled first. On Effect's
 * live clock it is a runtime timer: no fiber per call. On any other clock (a `TestClock`, a custom one) a
 * daemon fiber sleeps on the clock, so that virtual time drives it.
 */
export const schedule = (clock: Clock.Clock, millis: number, fire: () => void): Effect.Effect<Cancel> => {
  if (!isLiveClock(clock)) {
    return Effect.map(
      Effect.forkDaemon(Effect.interruptible(Effect.zipRight(sleepMillisOn(clock, millis), Effect.sync(fire)))),
      (fiber) => Fiber.interrupt(fiber)
    )
  }
  return Effect.sync(() => {
    const cancel = runtimeTimer(() => unsafeNow(clock), millis, fire)
    return Effect.sync(cancel)
  })
}

/** The runtime's timer functions; a parameter so that the stepping past `maxTimerMillis` can be tested. */
export interface Timers {
  readonly set: (f: () => void, ms: number) => unknown
  readonly clear: (handle: unknown) => void
}

const runtimeTimers: Timers = {
  set: (f, ms) => setTimeout(f, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

/**
 * Calls `fire` once `millis` have passed on the `now` time line, with runtime timers of at most
 * `maxTimerMillis` each; returns the cancel function.
 */
export const runtimeTimer = (
  now: () => number,
  millis: number,
  fire: () => void,
  timers: Timers = runtimeTimers
): () => void => {
  const until = now() + millis
  let handle: unknown = undefined
  const arm = (delay: number) => {
    handle = timers.set(() => {
      const left = until - now()
      // A timer may fire a hair early on its own clock; only a real step remains is worth another timer. Whole
      // milliseconds let the runtime keep timers of the same delay in one list.
      if (left >= 1) arm(left)
      else {
        handle = undefined
        fire()
      }
    }, Math.min(Math.ceil(Math.max(delay, 0)), maxTimerMillis))
  }
  arm(millis)
  return () => {
    if (handle !== undefined) timers.clear(handle)
    handle = undefined
  }
}
