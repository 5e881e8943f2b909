/**
 * Time as Lifeline measures it: on the monotonic clock, and with sleeps that wake however long they are.
 *
 * Deadlines, cadences, elapsed figures and staleness are differences between two instants. Read from the
 * wall clock (`Clock.currentTimeMillis`), an NTP step of the system clock makes them jump: an hour forward
 * fails every pending deadline at once, an hour back stalls a periodic loop. `Clock.currentTimeNanos` is
 * monotonic on every runtime Effect supports, and under `TestClock` both agree.
 *
 * Effect's live clock treats a sleep longer than 2^31−1 ms (about 24.8 days) as infinite, because that is
 * the longest runtime timer; {@link sleep} waits in steps, so a 30-day cadence still fires.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/monotonic.ts"

/**
 * The current instant on the monotonic time line, in milliseconds (fractional). Only differences between
 * two readings mean anything.
 *
 * @example
 * ```ts
 * import { Monotonic } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const timed = <A, E, R>(self: Effect.Effect<A, E, R>) =>
 *   Effect.gen(function*() {
 *     const start = yield* Monotonic.now
 *     const value = yield* self
 *     yield* Effect.log(`took ${(yield* Monotonic.now) - start} ms`)
 *     return value
 *   })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const now: Effect.Effect<number> = internal.now

/**
 * {@link now} read synchronously from a given `Clock`.
 *
 * @example
 * ```ts
 * import { Monotonic } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const program = Effect.clockWith((clock) => Effect.sync(() => Monotonic.unsafeNow(clock)))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const unsafeNow: (clock: Clock.Clock) => number = internal.unsafeNow

/**
 * Sleeps for a duration, also past the 2^31−1 ms a runtime timer can wait. `Duration.infinity` never wakes.
 *
 * @example
 * ```ts
 * import { Monotonic } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const monthly = Effect.log("rotate keys").pipe(Effect.zipRight(Monotonic.sleep("30 days")), Effect.forever)
 * ```
 *
 * @since 0.1.0
 * @category sleeping
 */
export const sleep: (duration: Duration.DurationInput) => Effect.Effect<void> = internal.sleep

/**
 * The longest delay, in milliseconds, that one runtime timer waits: 2^31−1.
 *
 * @example
 * ```ts
 * import { Monotonic } from "@lifeline/deadline"
 *
 * console.log(Monotonic.maxTimerMillis / 86_400_000) // ≈ 24.86 days
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTimerMillis: number = internal.maxTimerMillis
