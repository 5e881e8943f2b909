/** A shipper's options, validated once and decoded to what the fibers read (milliseconds, names). */
import { Options } from "@lifeline/deadline"
import type { Deadline } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as api from "../../Shipper.ts"

export interface Config<A, E, R> {
  readonly name: string
  readonly send: (batch: ReadonlyArray<A>) => Effect.Effect<unknown, E, R>
  readonly retry: Schedule.Schedule<unknown, E, R> | undefined
  readonly maxBatch: number
  /** How long a batch that is not full waits for more, in ms on the monotonic clock (0: not at all). */
  readonly lingerMs: number
  readonly sendTimeoutMs: number
  readonly flushTimeoutMs: number
  /** `undefined`: the grace `Deadline.within` applies by default. */
  readonly grace: Duration.Duration | undefined
}

const optionalGrace = Options.optional(Options.nonNegativeDuration, undefined)
const optionalSchedule = Options.optional(Options.schedule, undefined)

/** Fails with the first option out of its domain; the queue's own options are checked by the queue. */
export const resolve = <A, E, R>(
  options: api.Options<A, E, R>
): Effect.Effect<Config<A, E, R>, Deadline.InvalidOptions> =>
  Effect.gen(function* () {
    yield* Options.callable("send", options.send)
    const name = yield* Options.name("name", options.name)
    const maxBatch = yield* Options.positiveInteger("maxBatch", options.maxBatch)
    const linger = yield* Options.nonNegativeDuration("linger", options.linger)
    const sendTimeout = yield* Options.positiveDuration("sendTimeout", options.sendTimeout)
    const flushTimeout = yield* Options.positiveDuration("flushTimeout", options.flushTimeout)
    const grace = yield* optionalGrace("grace", options.grace)
    yield* optionalSchedule("retry", options.retry)
    return {
      name,
      send: options.send,
      retry: options.retry,
      maxBatch,
      lingerMs: Duration.toMillis(linger),
      sendTimeoutMs: Duration.toMillis(sendTimeout),
      flushTimeoutMs: Duration.toMillis(flushTimeout),
      grace
    }
  })
