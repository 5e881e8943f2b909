import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import { pipeArguments } from "effect/Pipeable"
import type * as api from "../DroppingQueue.ts"
import * as metrics from "./metrics.ts"
import * as options from "./options.ts"

export const TypeId: typeof api.TypeId = Symbol.for(
  "@lifeline/queue/DroppingQueue"
) as typeof api.TypeId
export type TypeId = typeof TypeId

export type Strategy = api.Strategy
export type Options<A> = api.Options<A>
export type Stats = api.Stats
export type DroppingQueue<A> = api.DroppingQueue<A>

const droppedKey = metrics.counterKey(
  "lifeline_queue_dropped_total",
  "Items a dropping queue refused or evicted, tagged with the queue's name"
)
const droppedBytesKey = metrics.counterKey(
  "lifeline_queue_dropped_bytes_total",
  "Weight (bytes) of the items a dropping queue refused or evicted, tagged with the queue's name"
)

export const droppedTotal = Metric.fromMetricKey(droppedKey)
export const droppedBytesTotal = Metric.fromMetricKey(droppedBytesKey)
const noTags = metrics.noTags

// A native scan for non-ASCII is several times faster than a charCode loop on the (common) ASCII line.
const nonAscii = /[\u0080-\uffff]/

/** UTF-8 length of a string without encoding it. */
export const utf8Length = (s: string): number => {
  if (!nonAscii.test(s)) return s.length
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair is two UTF-16 units and four UTF-8 bytes.
        n += 2
        i++
      } else n += 2
    } else n += 2
  }
  return n
}

export const defaultWeigh = (item: unknown): number => {
  if (typeof item === "string") return utf8Length(item)
  if (item instanceof Uint8Array) return item.byteLength
  return 0
}

interface Waiter {
  readonly atLeast: number
  readonly wake: () => void
}

const initialSlots = 64

export class DroppingQueueImpl<A> implements api.DroppingQueue<A> {
  readonly [TypeId]: TypeId = TypeId
  readonly name: string
  readonly capacity: number
  readonly maxBytes: number | undefined
  readonly strategy: Strategy
  private readonly weigh: (item: A) => number
  private readonly dropMetric: ReturnType<typeof metrics.boundCounter>
  private readonly dropBytesMetric: ReturnType<typeof metrics.boundCounter>

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

  constructor(opts: Options<A>) {
    this.capacity = options.positiveInteger("capacity", opts.capacity)
    this.maxBytes = opts.maxBytes === undefined ? undefined : options.positiveInteger("maxBytes", opts.maxBytes)
    options.optionalFunction("weigh", opts.weigh)
    this.weigh = opts.weigh ?? defaultWeigh
    this.strategy = opts.strategy === undefined ? "drop-newest" : options.oneOf(
      "strategy",
      opts.strategy,
      ["drop-newest", "drop-oldest"] as const
    )
    this.name = opts.name === undefined ? "queue" : options.nonEmptyString("name", opts.name)
    this.dropMetric = metrics.boundCounter(droppedKey, { queue: this.name })
    this.dropBytesMetric = metrics.boundCounter(droppedBytesKey, {
      queue: this.name
    })
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

  get size(): number {
    return this.count
  }

  get bytes(): number {
    return this.weight
  }

  /** Whether an item of unknown weight would be refused outright (full under drop-newest, or closed). */
  refusesNext(): boolean {
    return this.closed ||
      (this.strategy === "drop-newest" && this.count >= this.capacity)
  }

  /** Counts an offer refused without looking at the item (its weight is unknown, so not in droppedBytes). */
  unsafeRefuse(): false {
    this.offeredN++
    this.recordDrop(0)
    return false
  }

  unsafeOffer(item: A): boolean {
    this.offeredN++
    if (this.closed) {
      this.recordDrop(this.weigh(item))
      return false
    }
    if (this.strategy === "drop-newest" && this.count >= this.capacity) {
      this.recordDrop(this.weigh(item))
      return false
    }
    const w = this.weigh(item)
    const maxBytes = this.maxBytes
    if (maxBytes !== undefined && w > maxBytes) {
      // Evicting everything would still not make room.
      this.recordDrop(w)
      return false
    }
    if (this.strategy === "drop-newest") {
      if (maxBytes !== undefined && this.weight + w > maxBytes) {
        this.recordDrop(w)
        return false
      }
    } else {
      while (
        this.count >= this.capacity ||
        (maxBytes !== undefined && this.weight + w > maxBytes)
      ) {
        this.evictOldest()
      }
    }
    this.push(item, w)
    if (this.waiters.length > 0) this.notify()
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

  private evictOldest(): void {
    const w = this.weights[this.head]!
    this.items[this.head] = undefined
    this.head = (this.head + 1) % this.items.length
    this.count--
    this.weight -= w
    this.recordDrop(w)
  }

  private recordDrop(w: number): void {
    this.droppedN++
    this.droppedBytesN += w
    this.dropMetric.unsafeUpdate(1, noTags)
    if (w > 0) this.dropBytesMetric.unsafeUpdate(w, noTags)
  }

  unsafeTakeUpTo(max: number): Array<A> {
    const n = Math.min(max, this.count)
    const out: Array<A> = new Array(n)
    const slots = this.items.length
    for (let i = 0; i < n; i++) {
      out[i] = this.items[this.head] as A
      this.weight -= this.weights[this.head]!
      this.items[this.head] = undefined
      this.head = (this.head + 1) % slots
    }
    this.count -= n
    if (this.count === 0) {
      this.head = 0
      this.weight = 0
    }
    return out
  }

  unsafeClose(): void {
    if (this.closed) return
    this.closed = true
    this.notify()
  }

  unsafeStats(): Stats {
    return {
      offered: this.offeredN,
      accepted: this.offeredN - this.droppedN,
      dropped: this.droppedN,
      droppedBytes: this.droppedBytesN,
      size: this.count,
      bytes: this.weight
    }
  }

  private notify(): void {
    const waiters = this.waiters
    let kept: Array<Waiter> | undefined
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!
      if (this.closed || this.count >= w.atLeast) w.wake()
      else (kept ??= []).push(w)
    }
    this.waiters = kept ?? []
  }

  /** Completes once the queue holds at least `atLeast` items or is closed. */
  awaitSize(atLeast: number): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.closed || this.count >= atLeast) {
        resume(Effect.void)
        return
      }
      const waiter: Waiter = { atLeast, wake: () => resume(Effect.void) }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
      })
    })
  }

  takeBatch(max: number): Effect.Effect<ReadonlyArray<A>> {
    return Effect.suspend(() => {
      if (this.count > 0 || this.closed) {
        return Effect.succeed(this.unsafeTakeUpTo(max))
      }
      return Effect.flatMap(this.awaitSize(1), () => this.takeBatch(max))
    })
  }
}

export const isDroppingQueue = (u: unknown): u is DroppingQueue<unknown> =>
  typeof u === "object" && u !== null && TypeId in u

export const impl = <A>(q: DroppingQueue<A>): DroppingQueueImpl<A> => q as unknown as DroppingQueueImpl<A>

export const unsafeMake = <A>(opts: Options<A>): DroppingQueue<A> => new DroppingQueueImpl(opts)

export const make = <A>(
  opts: Options<A>
): Effect.Effect<DroppingQueue<A>, options.InvalidOptions> => options.attempt(() => unsafeMake(opts))

const validMax = (max: number): number => options.positiveInteger("max", max)

export const offer = dual<
  <A>(item: A) => (self: DroppingQueue<A>) => Effect.Effect<boolean>,
  <A>(self: DroppingQueue<A>, item: A) => Effect.Effect<boolean>
>(2, (self, item) => Effect.sync(() => self.unsafeOffer(item)))

export const offerAll = dual<
  <A>(items: Iterable<A>) => (self: DroppingQueue<A>) => Effect.Effect<number>,
  <A>(self: DroppingQueue<A>, items: Iterable<A>) => Effect.Effect<number>
>(2, (self, items) =>
  Effect.sync(() => {
    let accepted = 0
    for (const item of items) if (self.unsafeOffer(item)) accepted++
    return accepted
  }))

export const takeBatch = dual<
  (
    max: number
  ) => <A>(self: DroppingQueue<A>) => Effect.Effect<ReadonlyArray<A>>,
  <A>(self: DroppingQueue<A>, max: number) => Effect.Effect<ReadonlyArray<A>>
>(2, (self, max) => Effect.suspend(() => impl(self).takeBatch(validMax(max))))

export const takeUpTo = dual<
  (
    max: number
  ) => <A>(self: DroppingQueue<A>) => Effect.Effect<ReadonlyArray<A>>,
  <A>(self: DroppingQueue<A>, max: number) => Effect.Effect<ReadonlyArray<A>>
>(2, (self, max) => Effect.sync(() => self.unsafeTakeUpTo(validMax(max))))

export const close = <A>(self: DroppingQueue<A>): Effect.Effect<void> => Effect.sync(() => self.unsafeClose())

export const stats = <A>(self: DroppingQueue<A>): Effect.Effect<Stats> => Effect.sync(() => self.unsafeStats())
