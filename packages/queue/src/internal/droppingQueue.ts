import { Metrics, Options } from "@lifeline/deadline"
import type { Deadline } from "@lifeline/deadline"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import { pipeArguments } from "effect/Pipeable"
import type * as api from "../DroppingQueue.ts"
import * as callback from "./callback.ts"
import { utf8Length } from "./utf8.ts"

export const TypeId: api.TypeId = Symbol.for("@lifeline/queue/DroppingQueue") as api.TypeId

export const droppedTotal = Metrics.counter(
  "lifeline_queue_dropped_total",
  "Items a dropping queue refused or evicted, tagged with the queue's name"
)

export const droppedBytesTotal = Metrics.counter(
  "lifeline_queue_dropped_bytes_total",
  "Weight (bytes) of the items a dropping queue refused or evicted, tagged with the queue's name"
)

export const defaultWeigh = (item: unknown): number => {
  if (typeof item === "string") return utf8Length(item)
  if (item instanceof Uint8Array) return item.byteLength
  return 0
}

const optionalStrategy = Options.optional(Options.oneOf(["drop-newest", "drop-oldest"]), "drop-newest")
const optionalMaxBytes = Options.optional(Options.positiveInteger, undefined)
const optionalWeigh = Options.optional(Options.callable, undefined)
const optionalName = Options.optional(Options.name, "queue")
const validMax = (max: number): number => Options.getOrThrow(Options.positiveInteger("max", max))

/**
 * A taker or a lingering batch. `atLeast`: wake once this many items are buffered. `whenFull`: also wake when
 * the queue holds `capacity` items or overflows — a full queue must not wait for a batch it cannot hold.
 */
interface Waiter {
  readonly atLeast: number
  readonly whenFull: boolean
  readonly wake: () => void
}

const initialSlots = 64

export class DroppingQueueImpl<in out A> implements api.DroppingQueue<A> {
  readonly [TypeId]: api.TypeId = TypeId
  readonly name: string
  readonly capacity: number
  readonly maxBytes: number | undefined
  readonly strategy: api.Strategy
  private readonly weigh: (item: A) => number
  /** `maxBytes`, or no bound: one comparison on the offer path either way. */
  private readonly byteLimit: number
  private readonly droppedSeries: Metrics.Bound<number>
  private readonly droppedBytesSeries: Metrics.Bound<number>

  // A ring buffer that grows by doubling up to `capacity`, so an idle queue with a large capacity stays small.
  private items: Array<A | undefined>
  private weights: Float64Array
  private head = 0
  private count = 0
  private weight = 0
  private closed = false
  private waiters: Array<Waiter> = []

  private offeredN = 0
  private droppedN = 0
  private droppedBytesN = 0
  /** Drops because the queue was full: refusals for lack of room, and evictions. */
  private overflowN = 0

  constructor(options: api.Options<A>) {
    this.capacity = Options.getOrThrow(Options.positiveInteger("capacity", options.capacity))
    this.maxBytes = Options.getOrThrow(optionalMaxBytes("maxBytes", options.maxBytes))
    Options.getOrThrow(optionalWeigh("weigh", options.weigh))
    this.strategy = Options.getOrThrow(optionalStrategy("strategy", options.strategy))
    this.name = Options.getOrThrow(optionalName("name", options.name))
    this.weigh = options.weigh ?? defaultWeigh
    this.byteLimit = this.maxBytes ?? Number.POSITIVE_INFINITY
    this.droppedSeries = Metrics.bind(droppedTotal, { queue: this.name })
    this.droppedBytesSeries = Metrics.bind(droppedBytesTotal, { queue: this.name })
    const slots = Math.min(this.capacity, initialSlots)
    this.items = new Array(slots)
    this.weights = new Float64Array(slots)
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Items buffered now. */
  get size(): number {
    return this.count
  }

  /**
   * Items dropped so far because the queue was full (refused for lack of room, or evicted); a consumer compares
   * two readings to learn whether the queue overflowed in between.
   */
  get overflowCount(): number {
    return this.overflowN
  }

  /**
   * Refuses an offer without looking at the item when one of unknown weight would be refused outright (full
   * under drop-newest, or closed), and counts it (its weight is unknown, so not in droppedBytes). Returns
   * whether it refused. This is the whole cost of a log line while the remote is stalled: no call, no allocation.
   */
  unsafeRefuseIfFull(): boolean {
    if (this.closed) {
      this.offeredN++
      this.droppedN++
      this.droppedSeries.unsafeUpdate(1)
      return true
    }
    if (this.count < this.capacity || this.strategy !== "drop-newest") return false
    this.offeredN++
    this.droppedN++
    this.overflowN++
    this.droppedSeries.unsafeUpdate(1)
    if (this.waiters.length > 0) this.notify(true)
    return true
  }

  /**
   * Counts an offer of an item that could not be built or weighed (its `format` or `weigh` threw) as offered and
   * dropped, so that its loss shows in the stats and in `lifeline_queue_dropped_total`. Not an overflow.
   */
  unsafeDiscard(): false {
    this.offeredN++
    this.recordDrop(0, false)
    return false
  }

  unsafeOffer(item: A): boolean {
    // Weighed before anything is counted: a bad weight is the caller's defect, not an offer.
    const w = callback.nonNegativeNumber("weigh", this.weigh, item)
    this.offeredN++
    const count = this.count
    // The common case, whatever the strategy: open, with room for one more item and its weight (`weight` is
    // never negative, so an item heavier than maxBytes on its own never passes).
    if (count < this.items.length && this.weight + w <= this.byteLimit && !this.closed) {
      let tail = this.head + count
      if (tail >= this.items.length) tail -= this.items.length
      this.items[tail] = item
      this.weights[tail] = w
      this.count = count + 1
      this.weight += w
      if (this.waiters.length > 0) this.notify(false)
      return true
    }
    if (this.closed || w > this.byteLimit) {
      // An item heavier than maxBytes would not fit even if everything else were evicted.
      this.recordDrop(w, false)
      return false
    }
    if (this.strategy === "drop-newest") {
      if (this.count >= this.capacity || this.weight + w > this.byteLimit) {
        this.recordDrop(w, true)
        return false
      }
    } else {
      // `count > 0` ends the loop even if float rounding left a residue of weight behind the evicted items.
      while (this.count > 0 && (this.count >= this.capacity || this.weight + w > this.byteLimit)) {
        this.evictOldest()
      }
    }
    this.push(item, w)
    if (this.waiters.length > 0) this.notify(false)
    return true
  }

  private push(item: A, w: number): void {
    if (this.count === this.items.length) this.grow()
    const slots = this.items.length
    let tail = this.head + this.count
    if (tail >= slots) tail -= slots
    this.items[tail] = item
    this.weights[tail] = w
    this.count++
    this.weight += w
  }

  private grow(): void {
    const slots = this.items.length
    const next = Math.min(this.capacity, slots * 2)
    // The buffer is full here, so its items are [head, slots) then [0, head): two straight copies.
    const items: Array<A | undefined> = new Array(next)
    const old = this.items
    const head = this.head
    let j = 0
    for (let i = head; i < slots; i++) items[j++] = old[i]
    for (let i = 0; i < head; i++) items[j++] = old[i]
    const weights = new Float64Array(next)
    weights.set(this.weights.subarray(head), 0)
    weights.set(this.weights.subarray(0, head), slots - head)
    this.items = items
    this.weights = weights
    this.head = 0
  }

  /** Removes the oldest item and returns its weight; keeps `weight` exact at zero and never below it. */
  private shift(): number {
    const w = this.weights[this.head]!
    this.items[this.head] = undefined
    this.head = this.head + 1 === this.items.length ? 0 : this.head + 1
    this.count--
    // Fractional weights do not add and subtract exactly: an empty queue weighs 0, and no queue weighs less.
    if (this.count === 0) {
      this.head = 0
      this.weight = 0
    } else {
      this.weight = Math.max(0, this.weight - w)
    }
    return w
  }

  private evictOldest(): void {
    this.recordDrop(this.shift(), true)
  }

  /** `overflow`: dropped because the queue was full, which wakes a batch waiting to fill up. */
  private recordDrop(w: number, overflow: boolean): void {
    this.droppedN++
    this.droppedBytesN += w
    this.droppedSeries.unsafeUpdate(1)
    if (w > 0) this.droppedBytesSeries.unsafeUpdate(w)
    if (overflow) {
      this.overflowN++
      if (this.waiters.length > 0) this.notify(true)
    }
  }

  /** Removes up to `n` items (n ≥ 0, may be infinite), oldest first. */
  takeUpTo(n: number): Array<A> {
    const taken = Math.min(n, this.count)
    const out: Array<A> = new Array(taken)
    if (taken === 0) return out
    const items = this.items
    const weights = this.weights
    const slots = items.length
    let head = this.head
    let removed = 0
    for (let i = 0; i < taken; i++) {
      // Slots from `head` on, `count` of them, always hold items.
      out[i] = items[head] as A
      items[head] = undefined
      removed += weights[head]!
      head = head + 1 === slots ? 0 : head + 1
    }
    this.count -= taken
    // Fractional weights do not add and subtract exactly: an empty queue weighs 0, and no queue weighs less.
    if (this.count === 0) {
      this.head = 0
      this.weight = 0
    } else {
      this.head = head
      this.weight = Math.max(0, this.weight - removed)
    }
    return out
  }

  unsafeTakeUpTo(max: number): Array<A> {
    return this.takeUpTo(validMax(max))
  }

  unsafeClose(): void {
    if (this.closed) return
    this.closed = true
    this.notify(false)
  }

  unsafeStats(): api.Stats {
    return {
      offered: this.offeredN,
      accepted: this.offeredN - this.droppedN,
      dropped: this.droppedN,
      droppedBytes: this.droppedBytesN,
      size: this.count,
      bytes: this.weight
    }
  }

  private notify(overflowed: boolean): void {
    const waiters = this.waiters
    const full = overflowed || this.count >= this.capacity
    let kept: Array<Waiter> | undefined
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!
      if (this.closed || this.count >= w.atLeast || (w.whenFull && full)) w.wake()
      else (kept ??= []).push(w)
    }
    this.waiters = kept ?? []
  }

  /**
   * Completes once the queue holds at least `atLeast` items or is closed; with `whenFull`, also once it holds
   * `capacity` items or overflows.
   */
  awaitSize(atLeast: number, whenFull: boolean): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.closed || this.count >= atLeast || (whenFull && this.count >= this.capacity)) {
        resume(Effect.void)
        return
      }
      const waiter: Waiter = { atLeast, whenFull, wake: () => resume(Effect.void) }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
      })
    })
  }

  /** Takes up to `max` items, waiting for the first one; an empty array once closed and drained. */
  takeBatch(max: number): Effect.Effect<Array<A>> {
    return Effect.suspend(() =>
      this.count > 0 || this.closed
        ? Effect.succeed(this.takeUpTo(max))
        : Effect.flatMap(this.awaitSize(1, false), () => this.takeBatch(max))
    )
  }
}

export const isDroppingQueue = (u: unknown): u is api.DroppingQueue<unknown> =>
  typeof u === "object" && u !== null && TypeId in u

/** Narrows a queue to this implementation; `false` only for a queue made by another copy of this package. */
const isImpl = <A>(queue: api.DroppingQueue<A>): queue is DroppingQueueImpl<A> => queue instanceof DroppingQueueImpl

const foreign = (queue: { readonly name: string }) =>
  Effect.dieMessage(`DroppingQueue "${queue.name}" was made by another copy of @lifeline/queue`)

export const unsafeMake = <A>(options: api.Options<A>): api.DroppingQueue<A> => new DroppingQueueImpl(options)

export const make = <A>(options: api.Options<A>): Effect.Effect<api.DroppingQueue<A>, Deadline.InvalidOptions> =>
  Options.attempt(() => unsafeMake(options))

export const offer: {
  <A>(item: A): (self: api.DroppingQueue<A>) => Effect.Effect<boolean>
  <A>(self: api.DroppingQueue<A>, item: A): Effect.Effect<boolean>
} = dual(2, <A>(self: api.DroppingQueue<A>, item: A) => Effect.sync(() => self.unsafeOffer(item)))

export const offerAll: {
  <A>(items: Iterable<A>): (self: api.DroppingQueue<A>) => Effect.Effect<number>
  <A>(self: api.DroppingQueue<A>, items: Iterable<A>): Effect.Effect<number>
} = dual(2, <A>(self: api.DroppingQueue<A>, items: Iterable<A>) =>
  Effect.sync(() => {
    let accepted = 0
    for (const item of items) if (self.unsafeOffer(item)) accepted++
    return accepted
  }))

export const takeBatch: {
  (max: number): <A>(self: api.DroppingQueue<A>) => Effect.Effect<ReadonlyArray<A>>
  <A>(self: api.DroppingQueue<A>, max: number): Effect.Effect<ReadonlyArray<A>>
} = dual(2, <A>(self: api.DroppingQueue<A>, max: number): Effect.Effect<ReadonlyArray<A>> =>
  Effect.suspend(() => {
    const n = validMax(max)
    return isImpl(self) ? self.takeBatch(n) : foreign(self)
  }))

export const takeUpTo: {
  (max: number): <A>(self: api.DroppingQueue<A>) => Effect.Effect<ReadonlyArray<A>>
  <A>(self: api.DroppingQueue<A>, max: number): Effect.Effect<ReadonlyArray<A>>
} = dual(2, <A>(self: api.DroppingQueue<A>, max: number) => Effect.sync(() => self.unsafeTakeUpTo(max)))

export const close = <A>(self: api.DroppingQueue<A>): Effect.Effect<void> => Effect.sync(() => self.unsafeClose())

export const stats = <A>(self: api.DroppingQueue<A>): Effect.Effect<api.Stats> => Effect.sync(() => self.unsafeStats())
