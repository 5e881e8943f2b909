import { assert, describe, expect, it } from "@effect/vitest"
import { Deadline } from "@lifeline/deadline"
import { thrownBy } from "@lifeline/test-kit"
import { DroppingQueue } from "@lifeline/queue"
import { Cause, Effect, Exit, FastCheck as fc, Fiber, Metric, Option, TestClock } from "effect"

const op = <A>(item: fc.Arbitrary<A>) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant("offer" as const), item })
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("take" as const),
        max: fc.integer({ min: 1, max: 6 })
      })
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("close" as const) })
    }
  )

const strategy = fc.constantFrom<DroppingQueue.Strategy>(
  "drop-newest",
  "drop-oldest"
)

/** An item that carries its own (possibly fractional) weight and its position in the offers. */
interface Weighed {
  readonly id: number
  readonly weight: number
}

const expectStats = <A>(
  queue: DroppingQueue.DroppingQueue<A>,
  expected: DroppingQueue.Stats
) => expect(queue.unsafeStats()).toEqual(expected)

const zero: DroppingQueue.Stats = {
  offered: 0,
  accepted: 0,
  dropped: 0,
  droppedBytes: 0,
  size: 0,
  bytes: 0
}

/** The InvalidOptions a synchronous call threw. */
const thrown = (f: () => unknown) => thrownBy(f, Deadline.InvalidOptions)

describe("DroppingQueue", () => {
  it.prop(
    "every offer is either accepted or dropped, and the bounds hold after every operation",
    {
      ops: fc.array(op(fc.string({ maxLength: 12 })), { maxLength: 200 }),
      capacity: fc.integer({ min: 1, max: 12 }),
      maxBytes: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
      strategy
    },
    ({ capacity, maxBytes, ops, strategy }) => {
      const queue = DroppingQueue.unsafeMake<string>({
        capacity,
        maxBytes,
        strategy
      })
      let offers = 0
      let taken = 0
      for (const o of ops) {
        if (o.kind === "offer") {
          offers++
          queue.unsafeOffer(o.item)
        } else if (o.kind === "take") {
          taken += queue.unsafeTakeUpTo(o.max).length
        } else queue.unsafeClose()
        const s = queue.unsafeStats()
        expect(s.offered).toBe(offers)
        expect(s.offered).toBe(s.accepted + s.dropped)
        // Accepted items are the ones already taken plus the ones still buffered.
        expect(s.accepted).toBe(taken + s.size)
        assert.isAtMost(s.size, capacity)
        if (maxBytes !== undefined) assert.isAtMost(s.bytes, maxBytes)
      }
    }
  )

  it.prop(
    "fractional weights never drive a counter negative, whatever the strategy, offers, takes and closes",
    {
      ops: fc.array(op(fc.double({ min: 0, max: 8, noNaN: true })), {
        maxLength: 300
      }),
      capacity: fc.integer({ min: 1, max: 12 }),
      maxBytes: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
      strategy
    },
    ({ capacity, maxBytes, ops, strategy }) => {
      const queue = DroppingQueue.unsafeMake<Weighed>({
        capacity,
        maxBytes,
        strategy,
        weigh: (item) => item.weight
      })
      let offers = 0
      const taken: Array<number> = []
      for (const o of ops) {
        if (o.kind === "offer") {
          queue.unsafeOffer({ id: offers++, weight: o.item })
        } else if (o.kind === "take") {
          taken.push(...queue.unsafeTakeUpTo(o.max).map((item) => item.id))
        } else queue.unsafeClose()
        const s = queue.unsafeStats()
        expect(s.offered).toBe(offers)
        expect(s.offered).toBe(s.accepted + s.dropped)
        expect(s.accepted).toBe(taken.length + s.size)
        assert.isAtLeast(s.size, 0)
        assert.isAtMost(s.size, capacity)
        assert.isAtLeast(s.bytes, 0)
        assert.isAtLeast(s.droppedBytes, 0)
        if (maxBytes !== undefined) assert.isAtMost(s.bytes, maxBytes)
      }
      // Items leave in the order they were offered (drops leave gaps, never reorder).
      expect(taken).toEqual([...taken].sort((a, b) => a - b))
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("fractional weights that fill maxBytes exactly evict the oldest and keep the newest", () => {
    const queue = DroppingQueue.unsafeMake<Weighed>({
      capacity: 100,
      maxBytes: 1,
      strategy: "drop-oldest",
      weigh: (item) => item.weight
    })
    // 0.1 does not add up exactly: ten of them weigh 0.9999999999999999, and evicting leaves residues.
    for (let id = 0; id < 1000; id++) {
      expect(queue.unsafeOffer({ id, weight: id % 3 === 0 ? 1 : 0.1 })).toBe(true)
      assert.isAtLeast(queue.unsafeStats().bytes, 0)
    }
    const s = queue.unsafeStats()
    expect(s.accepted + s.dropped).toBe(1000)
    assert.isAtMost(s.bytes, 1)
    const kept = queue.unsafeTakeUpTo(100).map((item) => item.id)
    expect(kept.length).toBe(s.size)
    expect(kept[kept.length - 1]).toBe(999)
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 1000 - kept.length + k))
  })

  it.prop(
    "under drop-oldest the queue keeps the newest items, in order",
    {
      n: fc.integer({ min: 0, max: 300 }),
      capacity: fc.integer({ min: 1, max: 50 })
    },
    ({ capacity, n }) => {
      const queue = DroppingQueue.unsafeMake<number>({
        capacity,
        strategy: "drop-oldest"
      })
      for (let i = 0; i < n; i++) expect(queue.unsafeOffer(i)).toBe(true)
      const kept = queue.unsafeTakeUpTo(capacity + 1)
      expect(kept).toEqual(
        Array.from(
          { length: Math.min(n, capacity) },
          (_, k) => Math.max(0, n - capacity) + k
        )
      )
      expect(queue.unsafeStats().dropped).toBe(Math.max(0, n - capacity))
    }
  )

  it.prop(
    "under drop-newest the queue keeps the oldest items and refuses the rest",
    {
      n: fc.integer({ min: 0, max: 300 }),
      capacity: fc.integer({ min: 1, max: 50 })
    },
    ({ capacity, n }) => {
      const queue = DroppingQueue.unsafeMake<number>({ capacity })
      const results = Array.from({ length: n }, (_, i) => queue.unsafeOffer(i))
      expect(results.filter((r) => !r).length).toBe(Math.max(0, n - capacity))
      expect(queue.unsafeTakeUpTo(capacity)).toEqual(
        Array.from({ length: Math.min(n, capacity) }, (_, k) => k)
      )
    }
  )

  it("maxBytes bounds the buffered weight; an item heavier than maxBytes is dropped and weighed", () => {
    const queue = DroppingQueue.unsafeMake<string>({
      capacity: 100,
      maxBytes: 10,
      strategy: "drop-oldest"
    })
    queue.unsafeOffer("aaaa")
    queue.unsafeOffer("bbbb")
    queue.unsafeOffer("€€") // 6 bytes: evicts "aaaa"
    expect(queue.unsafeOffer("x".repeat(11))).toBe(false)
    expect(queue.unsafeStats()).toEqual({
      offered: 4,
      accepted: 2,
      dropped: 2,
      droppedBytes: 15,
      size: 2,
      bytes: 10
    })
    expect(queue.unsafeTakeUpTo(10)).toEqual(["bbbb", "€€"])
  })

  for (
    const bad of [
      Number.NaN,
      -1,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      "3",
      undefined
    ]
  ) {
    it(`a weigh that returns ${String(bad)} is refused with InvalidOptions naming weigh and the value; no counter moves`, () => {
      const queue = DroppingQueue.unsafeMake<string>({
        capacity: 2,
        maxBytes: 100,
        weigh: (item) => (item === "bad" ? bad as number : 1)
      })
      const error = thrown(() => queue.unsafeOffer("bad"))
      expect(error.option).toBe("weigh")
      expect(Object.is(error.value, bad)).toBe(true)
      expect(error.message).toContain("weigh")
      expectStats(queue, zero)
      // Full and closed queues check the weight too: a bad weigh never hides behind a drop.
      queue.unsafeOffer("a")
      queue.unsafeOffer("b")
      thrown(() => queue.unsafeOffer("bad"))
      queue.unsafeClose()
      thrown(() => queue.unsafeOffer("bad"))
      expectStats(queue, {
        offered: 2,
        accepted: 2,
        dropped: 0,
        droppedBytes: 0,
        size: 2,
        bytes: 2
      })
    })
  }

  it.effect("a weigh that throws: unsafeOffer throws InvalidOptions naming weigh, offer dies with it, no counter moves", () =>
    Effect.gen(function* () {
      const queue = yield* DroppingQueue.make<bigint | string>({
        capacity: 10,
        weigh: (item) => JSON.stringify(item).length // throws on a bigint
      })
      const error = thrown(() => queue.unsafeOffer(1n))
      expect(error.option).toBe("weigh")
      expect(error.message).toContain("BigInt")
      const exit = yield* Effect.exit(DroppingQueue.offer(queue, 2n))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      if (Exit.isFailure(exit)) {
        const defect = Cause.squash(exit.cause)
        assert.instanceOf(defect, Deadline.InvalidOptions)
        expect((defect as Deadline.InvalidOptions).option).toBe("weigh")
      }
      expectStats(queue, zero)
      expect(yield* DroppingQueue.offer(queue, "fine")).toBe(true)
      expect((yield* DroppingQueue.stats(queue)).offered).toBe(1)
    }))

  it.effect("takeBatch waits for the first item and returns up to max", () =>
    Effect.gen(function* () {
      const queue = yield* DroppingQueue.make<number>({ capacity: 10 })
      const taker = yield* Effect.fork(DroppingQueue.takeBatch(queue, 3))
      yield* TestClock.adjust("1 minute")
      expect(Option.isNone(yield* Fiber.poll(taker))).toBe(true)
      yield* DroppingQueue.offerAll(queue, [1, 2, 3, 4])
      expect(yield* Fiber.join(taker)).toEqual([1, 2, 3])
      expect(yield* queue.pipe(DroppingQueue.takeBatch(3))).toEqual([4])
    }))

  it.effect("close keeps the buffer for a final drain, refuses new items and ends takers with an empty batch", () =>
    Effect.gen(function* () {
      const queue = yield* DroppingQueue.make<string>({
        capacity: 10,
        name: "close-test"
      })
      const waiting = yield* DroppingQueue.make<string>({ capacity: 10 })
      const taker = yield* Effect.fork(DroppingQueue.takeBatch(waiting, 5))
      yield* Effect.yieldNow()
      yield* DroppingQueue.close(waiting)
      expect(yield* Fiber.join(taker)).toEqual([])

      yield* DroppingQueue.offer(queue, "a")
      yield* DroppingQueue.offer(queue, "b")
      yield* DroppingQueue.close(queue)
      expect(yield* DroppingQueue.offer(queue, "c")).toBe(false)
      expect(queue.isClosed).toBe(true)
      expect(yield* DroppingQueue.takeBatch(queue, 10)).toEqual(["a", "b"])
      expect(yield* DroppingQueue.takeBatch(queue, 10)).toEqual([])
      const s = yield* DroppingQueue.stats(queue)
      expect([s.offered, s.accepted, s.dropped]).toEqual([3, 2, 1])
    }))

  it.effect("drops are counted in lifeline_queue_dropped_total tagged with the queue's name", () =>
    Effect.gen(function* () {
      const counter = DroppingQueue.droppedTotal.pipe(
        Metric.tagged("queue", "metric-test")
      )
      const bytes = DroppingQueue.droppedBytesTotal.pipe(
        Metric.tagged("queue", "metric-test")
      )
      const before = (yield* Metric.value(counter)).count
      const bytesBefore = (yield* Metric.value(bytes)).count
      const queue = yield* DroppingQueue.make<string>({
        capacity: 1,
        name: "metric-test"
      })
      for (let i = 0; i < 5; i++) queue.unsafeOffer("ab")
      expect((yield* Metric.value(counter)).count - before).toBe(4)
      expect((yield* Metric.value(bytes)).count - bytesBefore).toBe(8)
    }))

  it.effect("bad options fail with InvalidOptions naming the option and the value; nothing means unbounded", () =>
    Effect.gen(function* () {
      for (
        const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]
      ) {
        const error = yield* Effect.flip(DroppingQueue.make({ capacity }))
        assert.instanceOf(error, Deadline.InvalidOptions)
        expect(error.option).toBe("capacity")
        expect(error.value).toBe(capacity)
        expect(error.message).toContain("capacity")
      }
      const option = (options: DroppingQueue.Options<string>) =>
        Effect.map(Effect.flip(DroppingQueue.make(options)), (e) => e.option)
      expect(yield* option({ capacity: 1, maxBytes: 0 })).toBe("maxBytes")
      expect(yield* option({ capacity: 1, maxBytes: Number.POSITIVE_INFINITY }))
        .toBe("maxBytes")
      expect(yield* option({ capacity: 1, strategy: "drop-all" as never }))
        .toBe("strategy")
      expect(yield* option({ capacity: 1, name: "" })).toBe("name")
      expect(yield* option({ capacity: 1, name: "  " })).toBe("name")
      expect(yield* option({ capacity: 1, weigh: 3 as never })).toBe("weigh")
      expect(() => DroppingQueue.unsafeMake({ capacity: 0 })).toThrow(
        Deadline.InvalidOptions
      )
      for (const max of [0, -1, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(
          DroppingQueue.takeBatch(
            DroppingQueue.unsafeMake({ capacity: 1 }),
            max
          )
        )
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        expect(() => DroppingQueue.unsafeMake({ capacity: 1 }).unsafeTakeUpTo(max)).toThrow(Deadline.InvalidOptions)
      }
    }))
})
