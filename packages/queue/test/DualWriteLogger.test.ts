import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { DroppingQueue, DualWriteLogger, Shipper } from "@lifeline/queue"
import { Effect, Exit, Fiber, Logger, Metric, Scope, TestClock } from "effect"

const collectingLocal = () => {
  const lines: Array<string> = []
  return {
    lines,
    logger: Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
  }
}

const options = {
  capacity: 100,
  maxBatch: 10,
  linger: "100 millis",
  sendTimeout: "1 second",
  flushTimeout: "2 seconds"
} as const

describe("DualWriteLogger", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.effect("every line goes to the local logger and, in order, to the shipper", () =>
    Effect.gen(function* () {
      const local = collectingLocal()
      const shipped: Array<string> = []
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        send: (batch: ReadonlyArray<string>) => Effect.sync(() => shipped.push(...batch)),
        name: "dual"
      }).pipe(Scope.extend(scope))
      yield* Effect.gen(function* () {
        for (let i = 0; i < 25; i++) yield* Effect.log(`line ${i}`)
      }).pipe(
        Effect.provide(DualWriteLogger.layer({ shipper, local: local.logger }))
      )
      expect(local.lines.length).toBe(25)
      yield* TestClock.adjust("100 millis")
      yield* Scope.close(scope, Exit.void)
      expect(shipped).toEqual(local.lines)
    }))

  it.effect("with the remote stalled, logging never blocks and local output keeps every line", () =>
    Effect.gen(function* () {
      const local = collectingLocal()
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        send: (_: ReadonlyArray<string>) => Effect.never,
        name: "stalled"
      }).pipe(Scope.extend(scope))
      // No clock moves here: had any log call waited on the remote, this would never finish.
      yield* Effect.gen(function* () {
        for (let i = 0; i < 10_000; i++) yield* Effect.logInfo("work step", i)
      }).pipe(
        Effect.provide(DualWriteLogger.layer({ shipper, local: local.logger }))
      )
      expect(local.lines.length).toBe(10_000)
      const s = yield* Shipper.stats(shipper)
      expect(s.accepted + s.rejected).toBe(10_000)
      expect(s.accepted).toBeLessThanOrEqual(100 + 10)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("3 seconds")
      yield* closing.await
      expect((yield* Shipper.stats(shipper)).dropped).toBe(s.accepted)
    }))

  it.effect("a full queue refuses a line without formatting it", () =>
    Effect.gen(function* () {
      let formatted = 0
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        capacity: 5,
        maxBatch: 1,
        send: (_: ReadonlyArray<string>) => Effect.never,
        name: "lazy"
      }).pipe(Scope.extend(scope))
      const local = collectingLocal()
      const layer = DualWriteLogger.layer({
        shipper,
        local: local.logger,
        format: (o) => {
          formatted++
          return String(o.message)
        }
      })
      yield* Effect.gen(function* () {
        for (let i = 0; i < 100; i++) yield* Effect.log(i)
      }).pipe(Effect.provide(layer))
      expect(local.lines.length).toBe(100)
      expect(formatted).toBeLessThanOrEqual(6)
      expect(shipper.unsafeStats().rejected).toBeGreaterThanOrEqual(94)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("3 seconds")
      yield* closing.await
    }))

  it.effect("by default each line is written to stdout in logfmt and the same text is shipped", () =>
    Effect.gen(function* () {
      const stdout: Array<string> = []
      vi.spyOn(globalThis.console, "log").mockImplementation((line: unknown) => void stdout.push(String(line)))
      const shipped: Array<string> = []
      const shipper = yield* Shipper.make({
        ...options,
        linger: "0 millis",
        send: (batch: ReadonlyArray<string>) => Effect.sync(() => shipped.push(...batch)),
        name: "default"
      })
      yield* Effect.log("execution completed").pipe(
        Effect.annotateLogs("job", "42"),
        Effect.provide(DualWriteLogger.layer({ shipper }))
      )
      yield* TestClock.adjust("1 millis")
      expect(stdout.length).toBe(1)
      expect(stdout[0]).toContain('message="execution completed"')
      expect(stdout[0]).toContain("job=42")
      expect(shipped).toEqual(stdout)
    }).pipe(Effect.scoped))

  it.effect("the shipper's own warnings about its sink are written locally but not fed back to it", () =>
    Effect.gen(function* () {
      const local = collectingLocal()
      const shipped: Array<string> = []
      let calls = 0
      // The application installs the dual logger globally, so the shipper logs through the logger it feeds.
      const holder: { logger?: Logger.Logger<unknown, void> } = {}
      const global = Logger.replace(
        Logger.defaultLogger,
        Logger.make<unknown, void>((o) => holder.logger?.log(o))
      )
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        linger: "0 millis",
        send: (batch: ReadonlyArray<string>) =>
          ++calls === 1 ? Effect.fail("down") : Effect.sync(() => shipped.push(...batch)),
        name: "self"
      }).pipe(Scope.extend(scope), Effect.provide(global))
      holder.logger = DualWriteLogger.make({ shipper, local: local.logger })
      yield* Effect.log("first").pipe(Effect.provide(global))
      yield* TestClock.adjust("1 millis")
      yield* Effect.log("second").pipe(Effect.provide(global))
      yield* TestClock.adjust("1 millis")
      yield* Scope.close(scope, Exit.void)
      expect(local.lines.some((l) => l.includes("batch dropped"))).toBe(true)
      expect(local.lines.some((l) => l.includes("shipper closed"))).toBe(true)
      expect(shipped.length).toBe(1)
      expect(shipped[0]).toContain("second")
    }))

  it.effect("a format that throws cannot fail the log call: the line is still written locally and its loss counted", () =>
    Effect.gen(function* () {
      const local = collectingLocal()
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        send: (_: ReadonlyArray<string>) => Effect.void,
        name: "bad-format"
      }).pipe(Scope.extend(scope))
      const layer = DualWriteLogger.layer({
        shipper,
        local: local.logger,
        // An eager JSON.stringify of a bigint annotation throws.
        format: (o) => JSON.stringify(Object.fromEntries(o.annotations))
      })
      const exit = yield* Effect.exit(
        Effect.log("with a bigint").pipe(
          Effect.annotateLogs("id", 10n),
          Effect.provide(layer)
        )
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      yield* Effect.log("plain").pipe(Effect.provide(layer))
      expect(local.lines.filter((l) => l.includes("with a bigint")).length)
        .toBe(1)
      expect(local.lines.some((l) => l.includes("plain"))).toBe(true)
      // The loss is visible locally, once, with the error.
      expect(
        local.lines.some((l) => l.includes("remote copy") && l.includes("BigInt"))
      ).toBe(true)
      expect(shipper.unsafeStats()).toMatchObject({ accepted: 1, rejected: 1 })
      const dropped = yield* Metric.value(
        DroppingQueue.droppedTotal.pipe(Metric.tagged("queue", "bad-format"))
      )
      expect(dropped.count).toBe(1)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a weigh that throws cannot fail the log call: the line is still written locally and its loss counted", () =>
    Effect.gen(function* () {
      const local = collectingLocal()
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        weigh: (
          line: string
        ) => (line.includes("poison") ? Number.NaN : line.length),
        send: (_: ReadonlyArray<string>) => Effect.void,
        name: "bad-weigh"
      }).pipe(Scope.extend(scope))
      const layer = DualWriteLogger.layer({ shipper, local: local.logger })
      const exit = yield* Effect.exit(
        Effect.log("poison").pipe(Effect.provide(layer))
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(local.lines.filter((l) => l.includes("poison")).length)
        .toBeGreaterThanOrEqual(1)
      expect(shipper.unsafeStats()).toMatchObject({ accepted: 0, rejected: 1 })
      yield* Scope.close(scope, Exit.void)
      const s = yield* Shipper.stats(shipper)
      expect(s.accepted).toBe(s.shipped + s.dropped)
    }))

  it.effect("a send stuck past its grace: the deadline's warning is written locally and not fed back to the shipper", () =>
    Effect.gen(function* () {
      const local = collectingLocal()
      const holder: { logger?: Logger.Logger<unknown, void> } = {}
      const global = Logger.replace(
        Logger.defaultLogger,
        Logger.make<unknown, void>((o) => holder.logger?.log(o))
      )
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        ...options,
        linger: "0 millis",
        sendTimeout: "1 second",
        grace: "100 millis",
        send: (_: ReadonlyArray<string>) => Effect.uninterruptible(Effect.sleep("1 hour")),
        name: "stuck"
      }).pipe(Scope.extend(scope), Effect.provide(global))
      holder.logger = DualWriteLogger.make({ shipper, local: local.logger })
      yield* Effect.log("job line").pipe(Effect.provide(global))
      yield* TestClock.adjust("1100 millis")
      expect(local.lines.some((l) => l.includes("could not be interrupted")))
        .toBe(true)
      expect(shipper.unsafeStats()).toMatchObject({
        accepted: 1,
        abandoned: 1
      })
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(closing)
      expect(shipper.unsafeStats()).toMatchObject({ accepted: 1, rejected: 0 })
    }))
})
