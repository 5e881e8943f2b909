/**
 * A bounded queue whose offer never blocks and never waits on a consumer: when it is full it drops — the
 * newest item or the oldest, by choice — and counts every drop.
 *
 * Answers the `runner-shutdown-hang` replay: a job runner hung after its work had succeeded because its log
 * path handed every entry to a consumer stuck on a peer that had stopped reading; the fix was a bounded
 * buffer with a send that drops instead of waiting. Effect's own queues stop short of that: `Queue.dropping`
 * and `Queue.sliding` drop without counting, and `Queue.shutdown` throws away what is buffered. Here every
 * offer is accounted for (`offered = accepted + dropped`, always), drops feed
 * `lifeline_queue_dropped_total{queue}`, and `close` stops intake while keeping the buffer for a final drain.
 *
 * `weigh` is the caller's code and runs on every offer: a `weigh` that throws, or returns anything but a
 * finite number ≥ 0, is a programming error reported as `InvalidOptions` (thrown by `unsafeOffer`, a defect
 * of `offer`) before any counter moves, so a bad weight can neither switch `maxBytes` off nor skew a count.
 *
 * Memory: a queue retains at most `capacity` items, and at most `maxBytes` of weight when that is set.
 * Worst-case retained bytes ≈ `capacity × 16 + min(capacity × S, maxBytes) × k + capacity × o`, where `S` is
 * the weight of the largest item, `k` the bytes in memory per weighed byte (1 for `Uint8Array` and Latin-1
 * strings, at most 2 for other strings weighed in UTF-8 bytes) and `o` the fixed overhead of one item
 * (about 16–32 bytes for a string); `16` is the two slots (item and weight) the queue keeps per item.
 *
 * @since 0.1.0
 */
import type { Deadline } from "@lifeline/deadline"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import type { Pipeable } from "effect/Pipeable"
import * as internal from "./internal/droppingQueue.ts"

/**
 * The brand carried by every `DroppingQueue`: `DroppingQueue.TypeId in value` is what
 * {@link isDroppingQueue} checks.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 *
 * const queue = DroppingQueue.unsafeMake<string>({ capacity: 10 })
 * console.log(DroppingQueue.TypeId in queue) // true
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * What a full queue drops: the item being offered (`"drop-newest"`) or the oldest buffered one
 * (`"drop-oldest"`, so the queue always holds the most recent items).
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 *
 * // Keep the latest readings of a sensor, not the first ones.
 * const strategy: DroppingQueue.Strategy = "drop-oldest"
 * const readings = DroppingQueue.unsafeMake<number>({ capacity: 3, strategy })
 * for (const reading of [1, 2, 3, 4]) readings.unsafeOffer(reading)
 * console.log(readings.unsafeTakeUpTo(3)) // [2, 3, 4]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Strategy = "drop-newest" | "drop-oldest"

/**
 * A bounded queue that drops instead of blocking. Offer with {@link offer} or `unsafeOffer`, consume with
 * {@link takeBatch}.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 *
 * const queue: DroppingQueue.DroppingQueue<string> = DroppingQueue.unsafeMake({ capacity: 2 })
 * console.log(queue.unsafeOffer("a"), queue.unsafeOffer("b"), queue.unsafeOffer("c")) // true true false
 * console.log(queue.unsafeStats().dropped) // 1
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DroppingQueue<in out A> extends Pipeable {
  readonly [TypeId]: TypeId
  /** The name used in metrics (`queue` tag) and logs. */
  readonly name: string
  /** The most items the queue holds. */
  readonly capacity: number
  /** The most weight the queue holds, when bounded by weight. */
  readonly maxBytes: number | undefined
  readonly strategy: Strategy
  /** `true` once {@link close}d: offers are refused, buffered items can still be taken. */
  readonly isClosed: boolean
  /**
   * Offers synchronously. Returns whether the item was queued; never blocks, never waits on a consumer. Under
   * `"drop-oldest"` it returns `true` and evicts the oldest items to make room (each counted as dropped).
   * Throws `InvalidOptions` (option `"weigh"`) when `weigh` throws or returns anything but a finite number
   * ≥ 0; no counter moves then.
   */
  unsafeOffer(item: A): boolean
  /** Removes and returns up to `max` items (a whole number ≥ 1), oldest first, without waiting. */
  unsafeTakeUpTo(max: number): Array<A>
  /** Stops intake; buffered items stay takeable. Wakes every waiting taker. */
  unsafeClose(): void
  /** The counters of {@link Stats}, read synchronously. */
  unsafeStats(): Stats
}

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 *
 * interface Event { readonly kind: string; readonly payload: Uint8Array }
 *
 * const options: DroppingQueue.Options<Event> = {
 *   capacity: 10_000,
 *   maxBytes: 8 * 1024 * 1024,
 *   weigh: (event) => event.payload.byteLength,
 *   strategy: "drop-oldest",
 *   name: "events"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<A> {
  /** The most items the queue holds: a whole number ≥ 1. There is no "unbounded". */
  readonly capacity: number
  /**
   * The most total weight (see `weigh`) the queue holds: a whole number ≥ 1. An item heavier than `maxBytes`
   * on its own is always dropped.
   * @default no bound by weight (only `capacity`)
   */
  readonly maxBytes?: number | undefined
  /**
   * The weight of an item in bytes, for `maxBytes` and the `bytes` / `droppedBytes` counters: a finite number
   * ≥ 0 (fractions allowed). Must be cheap and pure; a throw or any other result is a programming error.
   * @default UTF-8 length of a string, `byteLength` of a `Uint8Array`, 0 for anything else
   */
  readonly weigh?: ((item: A) => number) | undefined
  /**
   * What to drop when full.
   * @default "drop-newest"
   */
  readonly strategy?: Strategy | undefined
  /**
   * The `queue` tag of `lifeline_queue_dropped_total`: a non-blank name you chose (never data).
   * @default "queue"
   */
  readonly name?: string | undefined
}

/**
 * Counters of a queue. `offered = accepted + dropped` always; `size` and `bytes` are never negative.
 *
 * - `offered`: offers made (an offer whose `weigh` failed is not one).
 * - `accepted`: offered items not dropped — already taken, or still buffered.
 * - `dropped`: items refused on offer (full, too heavy, closed) or evicted by a newer one (`"drop-oldest"`).
 * - `droppedBytes`: the weight of the dropped items.
 * - `size`, `bytes`: what is buffered now, in items and in weight.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* DroppingQueue.make<string>({ capacity: 1 })
 *   yield* DroppingQueue.offer(queue, "a")
 *   yield* DroppingQueue.offer(queue, "b")
 *   const { offered, accepted, dropped }: DroppingQueue.Stats = yield* DroppingQueue.stats(queue)
 *   console.log(offered, accepted, dropped) // 2 1 1
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly offered: number
  readonly accepted: number
  readonly dropped: number
  readonly droppedBytes: number
  readonly size: number
  readonly bytes: number
}

/**
 * Makes a queue; fails with `InvalidOptions` for a `capacity` or `maxBytes` that is not a whole number ≥ 1,
 * a `weigh` that is not a function, an unknown `strategy` or a blank `name`.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* DroppingQueue.make<string>({ capacity: 10_000, maxBytes: 4 * 1024 * 1024, name: "logs" })
 *   queue.unsafeOffer("hello")
 * })
 *
 * const invalid = DroppingQueue.make({ capacity: 0 }).pipe(
 *   Effect.catchTag("InvalidOptions", (e) => Effect.log(e.message)) // capacity: must be a whole number ≥ 1 (got 0)
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <A>(options: Options<A>) => Effect.Effect<DroppingQueue<A>, Deadline.InvalidOptions> = internal.make

/**
 * Makes a queue synchronously; throws `InvalidOptions` for bad options (see {@link make}).
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 *
 * const queue = DroppingQueue.unsafeMake<number>({ capacity: 100, strategy: "drop-oldest" })
 * queue.unsafeOffer(42)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake: <A>(options: Options<A>) => DroppingQueue<A> = internal.unsafeMake

/**
 * Offers an item; succeeds with whether it was queued. Never blocks and never waits on a consumer. Dies with
 * `InvalidOptions` when `weigh` throws or returns anything but a finite number ≥ 0.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* DroppingQueue.make<string>({ capacity: 1 })
 *   const first = yield* DroppingQueue.offer(queue, "a")
 *   const second = yield* queue.pipe(DroppingQueue.offer("b"))
 *   console.log(first, second) // true false
 * })
 * ```
 *
 * @since 0.1.0
 * @category offering
 */
export const offer: {
  <A>(item: A): (self: DroppingQueue<A>) => Effect.Effect<boolean>
  <A>(self: DroppingQueue<A>, item: A): Effect.Effect<boolean>
} = internal.offer

/**
 * Offers every item in order; succeeds with how many were queued.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* DroppingQueue.make<number>({ capacity: 2 })
 *   console.log(yield* DroppingQueue.offerAll(queue, [1, 2, 3])) // 2
 * })
 * ```
 *
 * @since 0.1.0
 * @category offering
 */
export const offerAll: {
  <A>(items: Iterable<A>): (self: DroppingQueue<A>) => Effect.Effect<number>
  <A>(self: DroppingQueue<A>, items: Iterable<A>): Effect.Effect<number>
} = internal.offerAll

/**
 * Takes up to `max` items, oldest first, waiting until there is at least one. On a closed queue it returns
 * what is left without waiting, and an empty array once the queue is closed and drained — the consumer's
 * signal to stop. `max` must be a whole number ≥ 1 (otherwise the effect dies with `InvalidOptions`).
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const drain = (queue: DroppingQueue.DroppingQueue<string>) =>
 *   Effect.gen(function*() {
 *     while (true) {
 *       const batch = yield* DroppingQueue.takeBatch(queue, 500)
 *       if (batch.length === 0) return // closed and drained
 *       yield* Effect.log(`got ${batch.length}`)
 *     }
 *   })
 * ```
 *
 * @since 0.1.0
 * @category taking
 */
export const takeBatch: {
  (max: number): <A>(self: DroppingQueue<A>) => Effect.Effect<ReadonlyArray<A>>
  <A>(self: DroppingQueue<A>, max: number): Effect.Effect<ReadonlyArray<A>>
} = internal.takeBatch

/**
 * Takes up to `max` buffered items without waiting (possibly none).
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* DroppingQueue.make<number>({ capacity: 10 })
 *   console.log(yield* DroppingQueue.takeUpTo(queue, 5)) // []
 * })
 * ```
 *
 * @since 0.1.0
 * @category taking
 */
export const takeUpTo: {
  (max: number): <A>(self: DroppingQueue<A>) => Effect.Effect<ReadonlyArray<A>>
  <A>(self: DroppingQueue<A>, max: number): Effect.Effect<ReadonlyArray<A>>
} = internal.takeUpTo

/**
 * Stops intake: later offers are refused and counted as dropped. Unlike `Queue.shutdown`, what is buffered
 * stays and can still be taken, so a consumer can drain it; waiting takers are woken.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* DroppingQueue.make<string>({ capacity: 10 })
 *   queue.unsafeOffer("last words")
 *   yield* DroppingQueue.close(queue)
 *   console.log(yield* DroppingQueue.takeBatch(queue, 10)) // ["last words"]
 * })
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const close: <A>(self: DroppingQueue<A>) => Effect.Effect<void> = internal.close

/**
 * Reads the queue's counters (see {@link Stats}).
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const alertOnDrops = (queue: DroppingQueue.DroppingQueue<string>) =>
 *   Effect.gen(function*() {
 *     const { dropped, offered } = yield* DroppingQueue.stats(queue)
 *     if (dropped > 0) yield* Effect.logWarning(`${queue.name}: dropped ${dropped} of ${offered}`)
 *   })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const stats: <A>(self: DroppingQueue<A>) => Effect.Effect<Stats> = internal.stats

/**
 * Whether a value is a {@link DroppingQueue}.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 *
 * console.log(DroppingQueue.isDroppingQueue(DroppingQueue.unsafeMake({ capacity: 1 }))) // true
 * console.log(DroppingQueue.isDroppingQueue([])) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDroppingQueue: (u: unknown) => u is DroppingQueue<unknown> = internal.isDroppingQueue

/**
 * Counter of items dropped by any queue, tagged with `queue`.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect, Metric } from "effect"
 *
 * const dropped = Metric.value(DroppingQueue.droppedTotal.pipe(Metric.tagged("queue", "logs"))).pipe(
 *   Effect.map((state) => state.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const droppedTotal: Metric.Metric.Counter<number> = internal.droppedTotal

/**
 * Counter of the weight (bytes) of items dropped by any queue, tagged with `queue`.
 *
 * @example
 * ```ts
 * import { DroppingQueue } from "@lifeline/queue"
 * import { Effect, Metric } from "effect"
 *
 * const bytes = Metric.value(DroppingQueue.droppedBytesTotal.pipe(Metric.tagged("queue", "logs"))).pipe(
 *   Effect.map((state) => state.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const droppedBytesTotal: Metric.Metric.Counter<number> = internal.droppedBytesTotal
