import { assert, describe, expect, it } from "@effect/vitest"
import { Deadline } from "@lifeline/deadline"
import { Shipper } from "@lifeline/queue"
import { captureLogs, withWallClock } from "@lifeline/test-kit"
import {
  Clock,
  Duration,
  Effect,
  Exit,
  FastCheck as fc,
  Fiber,
  Metric,
  Option,
  Ref,
  Schedule,
  Scope,
  Supervisor,
  TestClock
} from "effect"

interface Recorder<A> {
  readonly batches: Array<ReadonlyArray<A>>
  readonly items: () => Array<A>
}

const recorder = <A>(): Recorder<A> => {
  const batches: Array<ReadonlyArray<A>> = []
  return { batches, items: () => batches.flat() }
}

const base = {
  capacity: 100,
  maxBatch: 10,
  linger: "1 second",
  sendTimeout: "5 seconds",
  flushTimeout: "10 seconds",
  grace: "1 second"
} as const

/** Opens a scope, makes the shipper in it under a fiber tracker, and returns both. */
const open = <A, E>(options: Shipper.Options<A, E, never>) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const tracker = yield* Supervisor.track
    const shipper = yield* Shipper.make(options).pipe(
      Effect.supervised(tracker),
      Scope.extend(scope)
    )
    return { scope, shipper, tracker }
  })

/** Closes the scope on a fiber of its own, so the test can move the clock while it is closing. */
const startClosing = (scope: Scope.CloseableScope) => Effect.fork(Scope.close(scope, Exit.void))

const isDone = <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.map(Fiber.poll(fiber), Option.isSome)

describe("Shipper", () => {
  it.effect("a healthy sink receives every item, once, in submission order", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      const { scope, shipper } = yield* open({
        ...base,
        capacity: 1000,
        send: (batch: ReadonlyArray<number>) => Effect.sync(() => sink.batches.push(batch)),
        name: "healthy"
      })
      let next = 0
      for (let round = 0; round < 50; round++) {
        for (let i = 0; i < 97; i++) {
          assert.isTrue(shipper.unsafeSubmit(next++))
        }
        yield* TestClock.adjust("100 millis")
      }
      yield* Scope.close(scope, Exit.void)
      expect(sink.items()).toEqual(Array.from({ length: next }, (_, i) => i))
      for (const batch of sink.batches) assert.isAtMost(batch.length, 10)
      const s = yield* Shipper.stats(shipper)
      expect(s).toMatchObject({
        accepted: next,
        rejected: 0,
        shipped: next,
        dropped: 0,
        inFlight: 0,
        queued: 0
      })
    }))

  it.effect("a batch that is not full waits for linger; a full batch ships at once", () =>
    Effect.gen(function* () {
      const sink = recorder<string>()
      const { scope, shipper } = yield* open({
        ...base,
        send: (batch: ReadonlyArray<string>) => Effect.sync(() => sink.batches.push(batch)),
        name: "linger"
      })
      shipper.unsafeSubmit("a")
      shipper.unsafeSubmit("b")
      yield* TestClock.adjust("999 millis")
      expect(sink.batches).toEqual([])
      shipper.unsafeSubmit("c")
      yield* TestClock.adjust("1 millis")
      expect(sink.batches).toEqual([["a", "b", "c"]])
      for (let i = 0; i < 10; i++) shipper.unsafeSubmit(`full-${i}`)
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(sink.batches.length).toBe(2)
      expect(sink.batches[1]!.length).toBe(10)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a send that never answers is cut at sendTimeout, counted as dropped, and shipping goes on", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      let calls = 0
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        send: (batch: ReadonlyArray<number>) =>
          Effect.suspend(() => ++calls === 1 ? Effect.never : Effect.sync(() => sink.batches.push(batch))),
        name: "send-timeout"
      })
      const failures = Shipper.sendFailuresTotal.pipe(
        Metric.tagged("shipper", "send-timeout")
      )
      const before = (yield* Metric.value(failures)).count
      shipper.unsafeSubmit(1)
      yield* TestClock.adjust("4999 millis")
      expect((yield* Shipper.stats(shipper)).inFlight).toBe(1)
      yield* TestClock.adjust("1 millis")
      shipper.unsafeSubmit(2)
      yield* TestClock.adjust("1 millis")
      const s = yield* Shipper.stats(shipper)
      expect(s).toMatchObject({
        shipped: 1,
        dropped: 1,
        droppedAtShutdown: 0,
        inFlight: 0
      })
      expect(sink.items()).toEqual([2])
      expect((yield* Metric.value(failures)).count - before).toBe(1)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a failing sink does not stop the shipper (Logger.batched stops flushing after one failure)", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      let calls = 0
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        send: (batch: ReadonlyArray<number>) =>
          ++calls <= 3 ? Effect.fail("sink down" as const) : Effect.sync(() => sink.batches.push(batch)),
        name: "failing"
      })
      for (let i = 0; i < 5; i++) {
        shipper.unsafeSubmit(i)
        yield* TestClock.adjust("1 millis")
      }
      yield* Scope.close(scope, Exit.void)
      expect(sink.items()).toEqual([3, 4])
      expect(yield* Shipper.stats(shipper)).toMatchObject({
        accepted: 5,
        shipped: 2,
        dropped: 3
      })
    }))

  it.effect("retry runs inside the send budget: a transient failure is retried, a permanent one ends at sendTimeout", () =>
    Effect.gen(function* () {
      const sink = recorder<string>()
      const attempts = new Map<string, number>()
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        sendTimeout: "1 second",
        retry: Schedule.spaced("100 millis"),
        send: (batch: ReadonlyArray<string>) =>
          Effect.suspend(() => {
            const key = batch[0]!
            const n = (attempts.get(key) ?? 0) + 1
            attempts.set(key, n)
            if (key === "transient" && n < 3) {
              return Effect.fail("503" as const)
            }
            if (key === "permanent") return Effect.fail("400" as const)
            return Effect.sync(() => sink.batches.push(batch))
          }),
        name: "retry"
      })
      shipper.unsafeSubmit("transient")
      yield* TestClock.adjust("200 millis")
      expect(sink.items()).toEqual(["transient"])
      expect(attempts.get("transient")).toBe(3)

      shipper.unsafeSubmit("permanent")
      yield* TestClock.adjust("999 millis")
      expect((yield* Shipper.stats(shipper)).dropped).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect((yield* Shipper.stats(shipper)).dropped).toBe(1)
      // Attempts at 0, 100, …, 900 ms (and one racing the deadline at 1000 ms), then the budget is spent.
      expect(attempts.get("permanent")).toBeGreaterThanOrEqual(10)
      expect(attempts.get("permanent")).toBeLessThanOrEqual(11)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("closing ships what is left without waiting for linger, and logs one summary line", () =>
    Effect.gen(function* () {
      const logs = yield* captureLogs
      const sink = recorder<number>()
      const { scope, shipper } = yield* open({
        ...base,
        linger: "1 hour",
        send: (batch: ReadonlyArray<number>) => Effect.sync(() => sink.batches.push(batch)),
        name: "drain"
      }).pipe(Effect.provide(logs.replace))
      for (let i = 0; i < 25; i++) shipper.unsafeSubmit(i)
      const t0 = yield* Clock.currentTimeMillis
      yield* Scope.close(scope, Exit.void)
      expect((yield* Clock.currentTimeMillis) - t0).toBe(0)
      expect(sink.items()).toEqual(Array.from({ length: 25 }, (_, i) => i))
      expect(shipper.unsafeSubmit(99)).toBe(false)
      const summaries = logs.entries.filter((l) => l.message === "shipper closed")
      expect(summaries.length).toBe(1)
      expect(summaries[0]!.annotations).toMatchObject({
        shipper: "drain",
        shipped: 25,
        dropped: 0,
        droppedAtShutdown: 0
      })
      expect(yield* Shipper.stats(shipper)).toMatchObject({
        accepted: 25,
        rejected: 1,
        shipped: 25,
        closed: true
      })
    }))

  for (const mode of ["interruptible", "uninterruptible"] as const) {
    it.effect(
      `closing while send never returns (${mode}) ends within flushTimeout + grace and leaves no shipper fiber running`,
      () =>
        Effect.gen(function* () {
          const logs = yield* captureLogs
          const never = Effect.async<void>(() => {})
          const sendFibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
          const { scope, shipper, tracker } = yield* open({
            ...base,
            capacity: 1000,
            linger: "0 millis",
            sendTimeout: "1 minute",
            flushTimeout: "10 seconds",
            grace: "1 second",
            send: (_: ReadonlyArray<number>) =>
              Effect.withFiberRuntime<void>((fiber) => {
                sendFibers.push(fiber)
                return mode === "interruptible" ? never : Effect.uninterruptible(never)
              }),
            name: `stalled-${mode}`
          }).pipe(Effect.provide(logs.replace))
          for (let i = 0; i < 500; i++) shipper.unsafeSubmit(i)
          yield* TestClock.adjust("1 millis")
          expect((yield* Shipper.stats(shipper)).inFlight).toBe(10)

          const t0 = yield* Clock.currentTimeMillis
          const closing = yield* startClosing(scope)
          yield* TestClock.adjust("9999 millis")
          expect(yield* isDone(closing)).toBe(false)
          yield* TestClock.adjust("1 millis")
          if (mode === "uninterruptible") {
            // The stuck send gets its grace period, and not one millisecond more.
            yield* TestClock.adjust("999 millis")
            expect(yield* isDone(closing)).toBe(false)
            yield* TestClock.adjust("1 millis")
          }
          yield* Fiber.join(closing)
          const elapsed = (yield* Clock.currentTimeMillis) - t0
          console.log(
            `[${mode}] scope closed after ${elapsed} ms of TestClock time (flushTimeout 10000, grace 1000)`
          )
          assert.isAtMost(elapsed, mode === "interruptible" ? 10_000 : 11_000)

          const s = yield* Shipper.stats(shipper)
          expect(s).toMatchObject({
            accepted: 500,
            shipped: 0,
            dropped: 500,
            droppedAtShutdown: 500,
            inFlight: 0
          })
          expect(s.accepted).toBe(s.shipped + s.dropped)
          const summary = logs.entries.filter((l) => l.message === "shipper closed")
          expect(summary.length).toBe(1)
          expect(summary[0]!.annotations).toMatchObject({
            shipped: 0,
            dropped: 500,
            droppedAtShutdown: 500
          })

          // Every fiber the shipper started has ended, except, for an uninterruptible send, the send itself,
          // which no runtime can stop: it is abandoned (detached, counted) holding its one batch.
          yield* TestClock.adjust("1 minute")
          const alive = yield* tracker.value
          console.log(
            `[${mode}] fibers still alive after close: ${alive.length}`
          )
          if (mode === "interruptible") {
            expect(alive).toEqual([])
            expect(s.abandoned).toBe(0)
          } else {
            expect(s.abandoned).toBe(1)
            expect(alive.length).toBe(1)
            expect(sendFibers).toContain(alive[0])
          }
        })
    )
  }

  it.effect("when the body dies, the scope still flushes what was submitted and no shipper fiber survives", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      const tracker = yield* Supervisor.track
      let shipper: Shipper.Shipper<number> | undefined
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function* () {
        shipper = yield* Shipper.make({
          ...base,
          linger: "1 hour",
          send: (batch: ReadonlyArray<number>) => Effect.sync(() => sink.batches.push(batch)),
          name: "defect"
        }).pipe(Effect.supervised(tracker))
        for (let i = 0; i < 7; i++) shipper.unsafeSubmit(i)
        return yield* Effect.die(new Error("job crashed"))
      })))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(sink.items()).toEqual([0, 1, 2, 3, 4, 5, 6])
      expect(shipper!.unsafeStats()).toMatchObject({
        accepted: 7,
        shipped: 7,
        dropped: 0,
        closed: true
      })
      // Deadline stops its timers with fire-and-forget interrupts; give them a few scheduler ticks to finish.
      for (
        let tick = 0;
        tick < 10 && (yield* tracker.value).length > 0;
        tick++
      ) yield* Effect.yieldNow()
      const later = yield* tracker.value
      expect(later).toEqual([])
    }))

  it.effect("an uninterruptible stuck send is abandoned after its grace, and the next send waits for it", () =>
    Effect.gen(function* () {
      let calls = 0
      const release = yield* Ref.make(false)
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        sendTimeout: "1 second",
        grace: "500 millis",
        send: (_: ReadonlyArray<number>) =>
          Effect.suspend(() => {
            calls++
            return Effect.uninterruptible(Effect.repeat(Ref.get(release), {
              until: (r) => r,
              schedule: Schedule.spaced("1 second")
            }))
          }),
        name: "abandon"
      })
      shipper.unsafeSubmit(1)
      yield* TestClock.adjust("1500 millis")
      expect(yield* Shipper.stats(shipper)).toMatchObject({
        dropped: 1,
        abandoned: 1
      })
      shipper.unsafeSubmit(2)
      yield* TestClock.adjust("1 millis")
      // The first send still holds its batch; a second one is not started on top of it.
      expect(calls).toBe(1)
      yield* Ref.set(release, true)
      yield* TestClock.adjust("1 second")
      expect(calls).toBe(2)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Shipper.stats(shipper)).toMatchObject({
        accepted: 2,
        shipped: 1,
        dropped: 1
      })
    }))

  it.effect.prop(
    "at close accepted = shipped + dropped, and every submission is accepted or rejected",
    {
      submits: fc.array(fc.integer({ min: 0, max: 40 }), {
        minLength: 1,
        maxLength: 12
      }),
      failEvery: fc.integer({ min: 0, max: 4 }),
      failure: fc.constantFrom("fail", "die", "throw"),
      hangFrom: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      capacity: fc.integer({ min: 1, max: 30 }),
      maxBatch: fc.integer({ min: 1, max: 8 }),
      strategy: fc.constantFrom<"drop-newest" | "drop-oldest">(
        "drop-newest",
        "drop-oldest"
      )
    },
    ({ capacity, failEvery, failure, hangFrom, maxBatch, strategy, submits }) =>
      Effect.gen(function* () {
        let calls = 0
        const { scope, shipper } = yield* open({
          capacity,
          maxBatch,
          strategy,
          linger: "50 millis",
          sendTimeout: "1 second",
          flushTimeout: "3 seconds",
          grace: "100 millis",
          send: (_: ReadonlyArray<number>) => {
            calls++
            if (hangFrom !== undefined && calls >= hangFrom) {
              return Effect.never
            }
            if (failEvery > 0 && calls % failEvery === 0) {
              if (failure === "throw") throw new Error("boom")
              return failure === "die" ? Effect.die("boom") : Effect.fail("boom" as const)
            }
            return Effect.sleep("10 millis")
          },
          name: "prop"
        })
        let submitted = 0
        for (const n of submits) {
          for (let i = 0; i < n; i++) {
            submitted++
            shipper.unsafeSubmit(i)
          }
          yield* TestClock.adjust("30 millis")
          const during = shipper.unsafeStats()
          expect(during.accepted).toBe(
            during.shipped + during.dropped + during.inFlight + during.queued
          )
        }
        const closing = yield* startClosing(scope)
        yield* TestClock.adjust("3100 millis")
        yield* Fiber.join(closing)
        const s = yield* Shipper.stats(shipper)
        expect(s.accepted).toBe(s.shipped + s.dropped)
        expect(s.accepted + s.rejected).toBe(submitted)
        expect(s.inFlight + s.queued).toBe(0)
        // Every send here can be interrupted: none may be reported abandoned.
        expect(s.abandoned).toBe(0)
      }),
    { fastCheck: { numRuns: 40 } }
  )

  it.effect("bad options fail with InvalidOptions naming the option", () =>
    Effect.gen(function* () {
      const ok = {
        ...base,
        send: (_: ReadonlyArray<string>) => Effect.void,
        name: "valid"
      }
      const cases: Array<[string, Record<string, unknown>]> = [
        ["capacity", { capacity: 0 }],
        ["capacity", { capacity: Number.NaN }],
        ["maxBatch", { maxBatch: 1.5 }],
        ["maxBytes", { maxBytes: -1 }],
        ["linger", { linger: -5 }],
        ["sendTimeout", { sendTimeout: 0 }],
        ["sendTimeout", { sendTimeout: Duration.infinity }],
        ["flushTimeout", { flushTimeout: Number.NaN }],
        ["name", { name: "" }],
        ["retry", { retry: 3 }]
      ]
      for (const [option, patch] of cases) {
        const error = yield* Effect.flip(
          Effect.scoped(
            Shipper.make(
              { ...ok, ...patch } as Shipper.Options<string, never, never>
            )
          )
        )
        assert.instanceOf(error, Deadline.InvalidOptions)
        expect(error.option).toBe(option)
      }
    }))

  it.effect("a dropped batch is logged with the shipper's name and marked as the shipper's own line", () =>
    Effect.gen(function* () {
      const logs = yield* captureLogs
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        send: (_: ReadonlyArray<number>) => Effect.fail("nope" as const),
        name: "named"
      }).pipe(Effect.provide(logs.replace))
      shipper.unsafeSubmit(1)
      yield* TestClock.adjust("1 millis")
      yield* Scope.close(scope, Exit.void)
      const warning = logs.entries.find((l) => l.message.startsWith("shipper: batch dropped"))
      assert.isDefined(warning)
      expect(warning!.annotations).toMatchObject({
        shipper: "named",
        [Shipper.selfAnnotation]: "named",
        items: 1
      })
    }))

  it.effect("a sink that fails fast produces at most one warning per second, with the suppressed count", () =>
    Effect.gen(function* () {
      const logs = yield* captureLogs
      const { scope, shipper } = yield* open({
        ...base,
        maxBatch: 1,
        linger: "0 millis",
        send: (_: ReadonlyArray<number>) => Effect.fail("connection refused" as const),
        name: "refused"
      }).pipe(Effect.provide(logs.replace))
      for (let i = 0; i < 20; i++) {
        shipper.unsafeSubmit(i)
        yield* TestClock.adjust("10 millis")
      }
      yield* TestClock.adjust("1 second")
      shipper.unsafeSubmit(20)
      yield* TestClock.adjust("1 millis")
      yield* Scope.close(scope, Exit.void)
      const warnings = logs.entries.filter((l) => l.message.startsWith("shipper: batch dropped"))
      expect(warnings.length).toBe(2)
      expect(warnings[1]!.annotations).toMatchObject({ suppressed: 19 })
      expect(shipper.unsafeStats()).toMatchObject({
        accepted: 21,
        dropped: 21
      })
    }))

  it.effect("a shipper made under a short deadline outlives it: its sends and flush have their own budgets", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...base,
        linger: "0 millis",
        send: (batch: ReadonlyArray<number>) => Effect.sync(() => sink.batches.push(batch)),
        name: "startup"
      }).pipe(
        Scope.extend(scope),
        Deadline.within("1 second", { label: "startup" })
      )
      yield* TestClock.adjust("5 seconds")
      shipper.unsafeSubmit(1)
      yield* TestClock.adjust("1 millis")
      shipper.unsafeSubmit(2)
      yield* Scope.close(scope, Exit.void)
      expect(sink.items()).toEqual([1, 2])
    }))

  it.effect("a send that throws synchronously fails that batch only: the next ships at once, and no send is abandoned", () =>
    Effect.gen(function* () {
      const logs = yield* captureLogs
      const sink = recorder<bigint | number>()
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        sendTimeout: "5 seconds",
        // An eager JSON.stringify throws on a bigint before any Effect is built.
        send: (batch: ReadonlyArray<bigint | number>) => {
          const body = JSON.stringify(batch)
          return Effect.sync(() => sink.batches.push(JSON.parse(body)))
        },
        name: "throwing-send"
      }).pipe(Effect.provide(logs.replace))
      shipper.unsafeSubmit(1n)
      yield* TestClock.adjust("1 millis")
      shipper.unsafeSubmit(2)
      yield* TestClock.adjust("1 millis")
      expect(sink.items()).toEqual([2])
      const t0 = yield* Clock.currentTimeMillis
      yield* Scope.close(scope, Exit.void)
      expect((yield* Clock.currentTimeMillis) - t0).toBe(0)
      expect(yield* Shipper.stats(shipper)).toMatchObject({
        accepted: 2,
        shipped: 1,
        dropped: 1,
        droppedAtShutdown: 0,
        abandoned: 0,
        inFlight: 0
      })
      const warning = logs.find("WARN", "batch dropped")
      expect(warning.length).toBe(1)
      expect(warning[0]!.cause).toContain("BigInt")
    }))

  it.effect("a send that returns no Effect is a defect of that batch only", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        send: ((batch: ReadonlyArray<number>) =>
          batch[0] === 1 ? undefined : Effect.sync(() => sink.batches.push(batch))) as (
            batch: ReadonlyArray<number>
          ) => Effect.Effect<void>,
        name: "not-an-effect"
      }).pipe(Effect.provide((yield* captureLogs).replace))
      shipper.unsafeSubmit(1)
      yield* TestClock.adjust("1 millis")
      shipper.unsafeSubmit(2)
      yield* TestClock.adjust("1 millis")
      yield* Scope.close(scope, Exit.void)
      expect(sink.items()).toEqual([2])
      expect(yield* Shipper.stats(shipper)).toMatchObject({
        shipped: 1,
        dropped: 1,
        abandoned: 0
      })
    }))

  it.effect("a weigh that throws refuses that submission only: no counter moves and at close accepted = shipped + dropped", () =>
    Effect.gen(function* () {
      const sink = recorder<string>()
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        weigh: (item: string) => {
          if (item === "poison") throw new Error("cannot weigh")
          return item.length
        },
        send: (batch: ReadonlyArray<string>) => Effect.sync(() => sink.batches.push(batch)),
        name: "throwing-weigh"
      })
      expect(shipper.unsafeSubmit("a")).toBe(true)
      expect(() => shipper.unsafeSubmit("poison")).toThrow(
        Deadline.InvalidOptions
      )
      const exit = yield* Effect.exit(Shipper.submit(shipper, "poison"))
      assert.isTrue(Exit.isFailure(exit))
      expect(shipper.unsafeStats()).toMatchObject({ accepted: 1, rejected: 0 })
      expect(shipper.unsafeSubmit("b")).toBe(true)
      yield* TestClock.adjust("1 millis")
      yield* Scope.close(scope, Exit.void)
      const s = yield* Shipper.stats(shipper)
      expect(s).toMatchObject({
        accepted: 2,
        rejected: 0,
        shipped: 2,
        dropped: 0
      })
      expect(s.accepted).toBe(s.shipped + s.dropped)
      expect(sink.items()).toEqual(["a", "b"])
    }))

  it.effect("a queue smaller than a batch ships as soon as it is full, without waiting out the linger", () =>
    Effect.gen(function* () {
      const sink = recorder<number>()
      const { scope, shipper } = yield* open({
        ...base,
        capacity: 5,
        maxBatch: 10,
        linger: "5 seconds",
        send: (batch: ReadonlyArray<number>) => Effect.sync(() => sink.batches.push(batch)),
        name: "small-queue"
      })
      // The first three are taken and linger for more; five more fill the queue.
      for (let i = 0; i < 3; i++) shipper.unsafeSubmit(i)
      yield* TestClock.adjust("1 millis")
      expect(sink.batches).toEqual([])
      for (let i = 3; i < 8; i++) shipper.unsafeSubmit(i)
      yield* TestClock.adjust("1 millis")
      expect(sink.batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]])
      // A burst the queue refuses in part ships at once too.
      for (let i = 8; i < 20; i++) shipper.unsafeSubmit(i)
      yield* TestClock.adjust("1 millis")
      expect(sink.items()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("when maxBytes fills before maxBatch, the full queue does not wait out the linger", () =>
    Effect.gen(function* () {
      // The reported setup: capacity 10k, maxBytes 100 kB, maxBatch 500, linger 5 s, 1 KB lines.
      let shippedBytes = 0
      const { scope, shipper } = yield* open({
        ...base,
        capacity: 10_000,
        maxBytes: 100_000,
        maxBatch: 500,
        linger: "5 seconds",
        send: (batch: ReadonlyArray<string>) =>
          Effect.sync(() => {
            for (const line of batch) shippedBytes += line.length
          }),
        name: "bytes-full"
      })
      const line = "x".repeat(1024)
      for (let tick = 0; tick < 40; tick++) {
        for (let i = 0; i < 200; i++) shipper.unsafeSubmit(line)
        yield* TestClock.adjust("100 millis")
      }
      const s = yield* Shipper.stats(shipper)
      console.log(
        `after 4 s: shipped ${s.shipped} lines (${shippedBytes} bytes), rejected ${s.rejected}`
      )
      // 97 lines fit in 100 kB: each 100 ms round ships a full queue, never waiting 5 s.
      assert.isAtLeast(s.shipped, 40 * 97)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("every line logged on the shipper's fibers — a deadline's warning, what send logs — is marked as its own", () =>
    Effect.gen(function* () {
      const logs = yield* captureLogs
      const { scope, shipper } = yield* open({
        ...base,
        linger: "0 millis",
        sendTimeout: "1 second",
        grace: "100 millis",
        send: (_: ReadonlyArray<number>) =>
          Effect.zipRight(
            Effect.log("sending"),
            Effect.uninterruptible(Effect.sleep("1 hour"))
          ),
        name: "stuck"
      }).pipe(Effect.provide(logs.replace))
      shipper.unsafeSubmit(1)
      yield* TestClock.adjust("1100 millis")
      const closing = yield* startClosing(scope)
      yield* TestClock.adjust("20 seconds")
      yield* Fiber.join(closing)
      assert.isAtLeast(logs.find("WARN", "could not be interrupted").length, 1)
      assert.isAtLeast(logs.find("INFO", "sending").length, 1)
      for (const entry of logs.entries) {
        expect(entry.annotations[Shipper.selfAnnotation], entry.message).toBe(
          "stuck"
        )
      }
    }))

  it.effect("a step of the wall clock during the flush neither cuts it short nor shows in flushMs", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const logs = yield* captureLogs
        const sink = recorder<number>()
        const { scope, shipper } = yield* open({
          ...base,
          sendTimeout: "1 second",
          flushTimeout: "10 seconds",
          send: (batch: ReadonlyArray<number>) =>
            Effect.zipRight(
              Effect.sleep("100 millis"),
              Effect.sync(() => sink.batches.push(batch))
            ),
          name: "wall-step"
        }).pipe(Effect.provide(logs.replace))
        for (let i = 0; i < 50; i++) shipper.unsafeSubmit(i)
        const closing = yield* startClosing(scope)
        yield* TestClock.adjust("150 millis")
        // NTP steps the system clock forward an hour in the middle of the flush.
        yield* wall.step("1 hour")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(closing)
        expect(sink.items()).toEqual(Array.from({ length: 50 }, (_, i) => i))
        expect(shipper.unsafeStats()).toMatchObject({
          shipped: 50,
          dropped: 0
        })
        const summary = logs.find("INFO", "shipper closed")
        expect(summary.length).toBe(1)
        expect(summary[0]!.annotations.flushMs).toBe(500)
      })
    ))
})
