/**
 * Assembling one batch: wait for the first item, then linger for a fuller batch — but never while the queue is
 * full and refusing items, which is exactly when a batch must leave to make room.
 */
import { Monotonic } from "@lifeline/deadline"
import * as Effect from "effect/Effect"
import type { Config } from "./config.ts"
import type { ShipperImpl } from "./state.ts"

/**
 * The next batch, oldest items first; an empty batch once the queue is closed and drained. The linger ends when
 * the batch can be filled (`maxBatch`), when the queue is full (it holds `capacity` items, or has refused or
 * evicted one since the previous batch was collected), or when the shipper starts closing.
 */
export const collect = <A, E, R>(state: ShipperImpl<A>, config: Config<A, E, R>): Effect.Effect<ReadonlyArray<A>> => {
  const afterFirst = (first: Array<A>): Effect.Effect<ReadonlyArray<A>> => {
    state.taken(first.length)
    const room = config.maxBatch - first.length
    const overflowed = state.overflowedSinceLastBatch()
    if (first.length === 0 || room === 0 || config.lingerMs === 0 || state.isClosing || overflowed) {
      return Effect.succeed(first)
    }
    return Effect.race(state.queue.awaitSize(room, true), Monotonic.sleep(config.lingerMs)).pipe(
      Effect.map(() => {
        const more = state.queue.takeUpTo(room)
        state.taken(more.length)
        state.overflowedSinceLastBatch()
        return more.length === 0 ? first : first.concat(more)
      })
    )
  }
  const waitForFirst = Effect.flatMap(state.queue.takeBatch(config.maxBatch), afterFirst)
  // A busy shipper finds items waiting: it takes them in the same step, without waiting on the queue.
  return Effect.suspend(() => state.queue.size > 0 ? afterFirst(state.queue.takeUpTo(config.maxBatch)) : waitForFirst)
}
