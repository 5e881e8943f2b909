import { assert, describe, expect, it } from "@effect/vitest"
import { Deadline } from "@lifeline/deadline"
import { DroppingQueue } from "@lifeline/queue"
import { Effect, FastCheck as fc, Fiber, Metric, Option, TestClock } from "effect"

const op = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("offer" as const),
      item: fc.string({ maxLength: 12 })
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("take" as const),
      max: fc.integer({ min: 1, max: 6 })
    })
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const) }) }
)

describe("DroppingQueue", () => {
  it.prop(
    "every offer is either accepted or dropped, and the bounds hold after every operation",
    {
      ops: fc.array(op, { maxLength: 200 }),
      capacity: fc.integer({ min: 1, max: 12 }),
      maxBytes: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
      strategy: fc.constantFrom<DroppingQueue.Strategy>(
        "drop-newest",
        "drop-oldest"
      )
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
    const s = queue.unsafeStats()
    expect(s).toEqual({
      offered: 4,
      accepted: 2,
      dropped: 2,
      droppedBytes: 15,
      size: 2,
      bytes: 10
    })
    expect(queue.unsafeTakeUpTo(10)).toEqual(["bbbb", "€€"])
  })

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
      const before = (yield* Metric.value(counter)).count
      const queue = yield* DroppingQueue.make<number>({
        capacity: 1,
        name: "metric-test"
      })
      for (let i = 0; i < 5; i++) queue.unsafeOffer(i)
      expect((yield* Metric.value(counter)).count - before).toBe(4)
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
      expect(
        (yield* Effect.flip(DroppingQueue.make({ capacity: 1, maxBytes: 0 })))
          .option
      ).toBe("maxBytes")
      expect(
        (yield* Effect.flip(
          DroppingQueue.make({ capacity: 1, strategy: "drop-all" as never })
        )).option
      ).toBe(
        "strategy"
      )
      expect(
        (yield* Effect.flip(DroppingQueue.make({ capacity: 1, name: "" })))
          .option
      ).toBe("name")
      expect(() => DroppingQueue.unsafeMake({ capacity: 0 })).toThrow(
        Deadline.InvalidOptions
      )
      const defect = yield* Effect.exit(
        DroppingQueue.takeBatch(DroppingQueue.unsafeMake({ capacity: 1 }), 0)
      )
      assert.isTrue(defect._tag === "Failure")
    }))
})
