/**
 * A best-effort batch shipper: callers submit items without ever blocking, a background fiber ships them in
 * batches, every send is bounded, and closing the scope flushes what is left within a fixed budget.
 *
 * Answers two replays. `runner-shutdown-hang`: a runner hung at shutdown because its log flush waited on a
 * stalled network peer. `log-shipper-oom`: a runner was OOM-killed because log shipping ran inside its drain
 * loop with unbounded buffers — and the first fix still had a flush that could block forever and shipper
 * goroutines that leaked when the flush was never reached. Effect's `Logger.batched` shares the shape of those
 * bugs: its buffer is unbounded, its final flush has no deadline, and after one failed flush its loop stops
 * silently. Here:
 *
 * - `submit` never blocks: the queue is a {@link DroppingQueue} bounded by `capacity` (and `maxBytes`);
 * - a batch leaves when it holds `maxBatch` items, after `linger`, or at once when the queue is full and
 *   refusing items: a full queue never waits out the linger;
 * - each send is bounded by `sendTimeout` through `Deadline.within`, retries included; a batch that still
 *   fails — `send` failed, died, threw, or timed out — is dropped, counted and logged (at most one warning a
 *   second, with the number suppressed), and shipping goes on with the next batch;
 * - the shipper lives in a `Scope`: closing it stops intake, ships what is left within `flushTimeout` in total
 *   (plus the deadline grace if a send cannot be interrupted), counts what could not be shipped and logs one
 *   summary line; no fiber of the shipper outlives the scope;
 * - everything logged on the shipper's fibers is annotated with {@link selfAnnotation}, so a logger that feeds
 *   the shipper (`DualWriteLogger`) never ships the shipper's own warnings through it;
 * - `stats` is readable during and after the scope; at close `accepted = shipped + dropped`.
 *
 * Memory: at most `capacity` items wait in the queue, one batch (≤ `maxBatch`) is being sent, and at most one
 * more batch is held by a send that a deadline had to abandon (a new send waits for it instead of piling up).
 * With `S` the size of the largest item in bytes, `k` the bytes in memory per counted byte (1 for
 * `Uint8Array`/Latin-1 strings, ≤ 2 for other strings), `o` ≈ 64 bytes of overhead per item (string header,
 * queue slots) and `base` ≈ 64 KiB for the shipper itself:
 *
 * `retained ≤ base + k × (min(capacity × S, maxBytes) + 2 × maxBatch × S) + o × (capacity + 2 × maxBatch)`
 *
 * (without `maxBytes`, read `min(capacity × S, maxBytes)` as `capacity × S`). For 10 000 log lines of at
 * most 200 bytes with `maxBatch` 500: ≈ 0.07 + 2.2 + 0.7 MB ≈ 3 MB, however slow the sink.
 *
 * @since 0.1.0
 */
import type { Deadline } from "@lifeline/deadline"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import type { Pipeable } from "effect/Pipeable"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as DroppingQueue from "./DroppingQueue.ts"
import * as internal from "./internal/shipper.ts"

/**
 * The brand carried by every `Shipper`: `Shipper.TypeId in value` is what {@link isShipper} checks.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 *
 * const looksLikeShipper = (u: object) => Shipper.TypeId in u
 * console.log(looksLikeShipper({ unsafeSubmit: () => true })) // false: the brand, not the shape, decides
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
 * A running shipper. Submit with {@link submit} or `unsafeSubmit`; read counters with {@link stats}.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const shipper: Shipper.Shipper<string> = yield* Shipper.make({
 *     send: (batch: ReadonlyArray<string>) => Effect.log(`shipping ${batch.length}`),
 *     capacity: 10_000,
 *     maxBatch: 500,
 *     linger: "200 millis",
 *     sendTimeout: "5 seconds",
 *     flushTimeout: "10 seconds",
 *     name: "logs"
 *   })
 *   shipper.unsafeSubmit("job started")
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Shipper<in A> extends Pipeable {
  readonly [TypeId]: TypeId
  readonly name: string
  /**
   * Submits synchronously; returns whether the item was queued. Never blocks. Throws `InvalidOptions` (option
   * `"weigh"`) when `weigh` throws or returns anything but a finite number ≥ 0; no counter moves then.
   */
  unsafeSubmit(item: A): boolean
  /** The counters of {@link Stats}, read synchronously. */
  unsafeStats(): Stats
}

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect, Schedule } from "effect"
 *
 * const options: Shipper.Options<string, Error, never> = {
 *   send: (batch) => Effect.log(`would POST ${batch.length} lines`),
 *   capacity: 10_000,
 *   maxBytes: 8 * 1024 * 1024,
 *   maxBatch: 500,
 *   linger: "200 millis",
 *   sendTimeout: "5 seconds",
 *   flushTimeout: "10 seconds",
 *   retry: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
 *   name: "logs"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<A, E, R> {
  /**
   * Delivers one batch (in submission order). Its failure, defect, synchronous throw or timeout drops the
   * batch (after `retry`), and shipping goes on. Interruption at the deadline should release the underlying
   * request: use `Deadline.tryPromise` or `Deadline.httpClient`. What it logs is marked as the shipper's own
   * (see {@link selfAnnotation}).
   */
  readonly send: (batch: ReadonlyArray<A>) => Effect.Effect<unknown, E, R>
  /** The most items waiting to be shipped: a whole number ≥ 1. */
  readonly capacity: number
  /**
   * The most total weight waiting to be shipped: a whole number ≥ 1.
   * @default no bound by weight (only `capacity`)
   */
  readonly maxBytes?: number | undefined
  /**
   * The weight of an item in bytes: a finite number ≥ 0 (see `DroppingQueue.Options.weigh`).
   * @default UTF-8 length of a string, `byteLength` of a `Uint8Array`, 0 for anything else
   */
  readonly weigh?: ((item: A) => number) | undefined
  /**
   * What a full queue drops: the item submitted or the oldest waiting one.
   * @default "drop-newest"
   */
  readonly strategy?: DroppingQueue.Strategy | undefined
  /** The most items per batch: a whole number ≥ 1. */
  readonly maxBatch: number
  /**
   * How long a batch that is not full waits for more items after its first one: a finite duration ≥ 0. `0`
   * ships at once. A full queue ends the wait early.
   */
  readonly linger: Duration.DurationInput
  /** The budget of one batch, retries included: a positive, finite duration. */
  readonly sendTimeout: Duration.DurationInput
  /** The budget of the whole final flush when the scope closes: a positive, finite duration. */
  readonly flushTimeout: Duration.DurationInput
  /**
   * Retries a failed send, within `sendTimeout`.
   * @default no retry
   */
  readonly retry?: Schedule.Schedule<unknown, NoInfer<E>, R> | undefined
  /**
   * How long a send past its deadline gets to finish being interrupted before it is abandoned (see
   * `Deadline.within`): a finite duration ≥ 0.
   * @default "1 second"
   */
  readonly grace?: Duration.DurationInput | undefined
  /** Names the shipper in metrics (`shipper` tag), logs and its queue (`queue` tag): a name you chose. */
  readonly name: string
}

/**
 * Counters of a shipper, readable during and after its scope.
 *
 * - `accepted`: submitted items the queue took (and did not evict).
 * - `rejected`: submitted items the queue refused (full, too heavy, or closed) or evicted (`"drop-oldest"`),
 *   and lines `DualWriteLogger` could not submit because `format` or `weigh` threw.
 * - `shipped`: items in batches that `send` completed.
 * - `dropped`: accepted items given up on: a failed, dead or timed-out send, or the end of the flush budget.
 * - `droppedAtShutdown`: the part of `dropped` lost while closing.
 * - `inFlight`: items taken from the queue and not yet shipped or dropped.
 * - `queued`: items waiting in the queue.
 * - `abandoned`: sends a deadline had to leave running because they could not be interrupted.
 * - `closed`: whether the scope has started closing.
 *
 * `accepted = shipped + dropped + inFlight + queued` at all times, so at close `accepted = shipped + dropped`.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const report = (shipper: Shipper.Shipper<string>) =>
 *   Effect.gen(function*() {
 *     const s: Shipper.Stats = yield* Shipper.stats(shipper)
 *     yield* Effect.log(`shipped ${s.shipped}, dropped ${s.dropped}, refused ${s.rejected}`)
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly accepted: number
  readonly rejected: number
  readonly shipped: number
  readonly dropped: number
  readonly droppedAtShutdown: number
  readonly inFlight: number
  readonly queued: number
  readonly abandoned: number
  readonly closed: boolean
}

/**
 * Starts a shipper in the current scope. Fails with `InvalidOptions` when `send` or `weigh` is not a
 * function, `capacity`, `maxBatch` or `maxBytes` is not a whole number ≥ 1, a duration is negative, infinite
 * or malformed (`sendTimeout` and `flushTimeout` must also be > 0), `retry` is not a `Schedule` or `name` is
 * blank.
 *
 * The shipper lives as long as the scope. A `Deadline.within` around the call to `make` bounds the construction
 * only: sends and the final flush have their own budgets (`sendTimeout`, `flushTimeout`), not what is left of it.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Schedule } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const shipper = yield* Shipper.make({
 *     send: (batch: ReadonlyArray<string>) =>
 *       Deadline.tryPromise((signal) =>
 *         fetch("http://127.0.0.1:8080/logs", { method: "POST", body: batch.join("\n"), signal })
 *       ),
 *     capacity: 10_000,
 *     maxBytes: 8 * 1024 * 1024,
 *     maxBatch: 500,
 *     linger: "200 millis",
 *     sendTimeout: "5 seconds",
 *     flushTimeout: "10 seconds",
 *     retry: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
 *     name: "logs"
 *   })
 *   yield* Shipper.submit(shipper, "job started")
 * }).pipe(Effect.scoped) // closing the scope flushes, within flushTimeout
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <A, E, R>(
  options: Options<A, E, R>
) => Effect.Effect<Shipper<A>, Deadline.InvalidOptions, Scope.Scope | R> = internal.make

/**
 * Submits an item; succeeds with whether it was queued. Never blocks. Dies with `InvalidOptions` when
 * `weigh` throws or returns anything but a finite number ≥ 0.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const audit = (shipper: Shipper.Shipper<string>) =>
 *   Effect.gen(function*() {
 *     const queued = yield* Shipper.submit(shipper, "user logged in")
 *     if (!queued) yield* Effect.logDebug("audit queue full: event dropped and counted")
 *     yield* shipper.pipe(Shipper.submit("user logged out"))
 *   })
 * ```
 *
 * @since 0.1.0
 * @category submitting
 */
export const submit: {
  <A>(item: A): (self: Shipper<A>) => Effect.Effect<boolean>
  <A>(self: Shipper<A>, item: A): Effect.Effect<boolean>
} = internal.submit

/**
 * Reads the shipper's counters (see {@link Stats}); works during and after its scope.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const shipper = yield* Shipper.make({
 *     send: (_: ReadonlyArray<string>) => Effect.void,
 *     capacity: 100, maxBatch: 10, linger: 0, sendTimeout: "1 second", flushTimeout: "1 second", name: "audit"
 *   }).pipe(Effect.scoped) // the scope closes here: the shipper has flushed
 *   const { accepted, shipped, dropped } = yield* Shipper.stats(shipper)
 *   console.log(accepted === shipped + dropped) // true
 * })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const stats: <A>(self: Shipper<A>) => Effect.Effect<Stats> = internal.stats

/**
 * Whether a value is a {@link Shipper}.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 *
 * console.log(Shipper.isShipper({ name: "logs" })) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isShipper: (u: unknown) => u is Shipper<unknown> = internal.isShipper

/**
 * The log annotation key on every line logged on a shipper's fibers (value: the shipper's name): its own
 * warnings and summary, warnings of the deadlines around its sends, and whatever its `send` logs.
 * `DualWriteLogger` uses it to keep a shipper's lines about its sink out of that same sink.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { HashMap, Logger, Option } from "effect"
 *
 * // A logger of your own that skips the lines of the "logs" shipper.
 * const skipShipperLines = Logger.make(({ annotations, message }) => {
 *   if (Option.isSome(HashMap.get(annotations, Shipper.selfAnnotation))) return
 *   console.log(message)
 * })
 * ```
 *
 * @since 0.1.0
 * @category logging
 */
export const selfAnnotation: string = internal.selfAnnotation

/**
 * Counter of items shipped, tagged with `shipper`.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect, Metric } from "effect"
 *
 * const shipped = Metric.value(Shipper.shippedTotal.pipe(Metric.tagged("shipper", "logs"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const shippedTotal: Metric.Metric.Counter<number> = internal.shippedTotal

/**
 * Counter of accepted items a shipper gave up on, tagged with `shipper` and `reason`
 * (`"send-failed"` or `"shutdown"`).
 * Effect matches tags in order, so read a series with `shipper` first, then `reason`.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect, Metric } from "effect"
 *
 * const dropped = Metric.value(
 *   Shipper.droppedTotal.pipe(Metric.tagged("shipper", "logs"), Metric.tagged("reason", "shutdown"))
 * ).pipe(Effect.map((s) => s.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const droppedTotal: Metric.Metric.Counter<number> = internal.droppedTotal

/**
 * Counter of batches whose send failed, died or timed out after all retries, tagged with `shipper`.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect, Metric } from "effect"
 *
 * const failures = Metric.value(Shipper.sendFailuresTotal.pipe(Metric.tagged("shipper", "logs"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const sendFailuresTotal: Metric.Metric.Counter<number> = internal.sendFailuresTotal

/**
 * Histogram of items per batch handed to `send`, tagged with `shipper`.
 *
 * @example
 * ```ts
 * import { Shipper } from "@lifeline/queue"
 * import { Effect, Metric } from "effect"
 *
 * const batches = Metric.value(Shipper.batchSize.pipe(Metric.tagged("shipper", "logs"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const batchSize: Metric.Metric.Histogram<number> = internal.batchSize
