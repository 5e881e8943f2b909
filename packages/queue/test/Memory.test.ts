import { describe, expect, it } from "@effect/vitest"
import { DualWriteLogger, Shipper } from "@lifeline/queue"
import { Effect, Exit, Logger, Scope, TestClock } from "effect"
import { retainedHeapBytes } from "@lifeline/test-kit"

const heapUsed = retainedHeapBytes

const capacity = 10_000
const maxBatch = 500
const lines = 1_000_000

/** Logs `count` lines through a dual-write logger whose remote never answers; returns the longest line. */
const logThroughStalledRemote = (count: number) =>
  Effect.gen(function* () {
    let longest = 0
    let local = 0
    const scope = yield* Scope.make()
    const shipper = yield* Shipper.make({
      send: (_: ReadonlyArray<string>) => Effect.never,
      capacity,
      maxBatch,
      linger: "10 millis",
      sendTimeout: "1 hour",
      flushTimeout: "1 second",
      name: "memory"
    }).pipe(Scope.extend(scope))
    const layer = DualWriteLogger.layer({
      shipper,
      // Stands in for stdout: counts every line, keeps none.
      local: Logger.make(() => void local++),
      format: (o) => {
        const line = Logger.logfmtLogger.log(o)
        if (line.length > longest) longest = line.length
        return line
      }
    })
    yield* TestClock.adjust("10 millis")
    yield* Effect.gen(function* () {
      for (let i = 0; i < count; i++) {
        yield* Effect.logInfo(`processed record ${i} of batch ${i % 97}: ok`)
        if (i % 100_000 === 0) yield* TestClock.adjust("10 millis")
      }
    }).pipe(Effect.provide(layer))
    return { scope, shipper, longest, local: () => local }
  })

describe("memory", () => {
  it.effect(
    "a million log lines against a stalled remote retain no more than the documented formula",
    () =>
      Effect.gen(function* () {
        // Warm up code paths and the metric registry so they do not count as growth.
        const warm = yield* logThroughStalledRemote(50_000)
        const closingWarm = yield* Effect.fork(
          Scope.close(warm.scope, Exit.void)
        )
        yield* TestClock.adjust("2 seconds")
        yield* closingWarm.await

        const before = heapUsed()
        const run = yield* logThroughStalledRemote(lines)
        const after = heapUsed()
        const s = yield* Shipper.stats(run.shipper)

        // retained ≤ base + k × (capacity × S + 2 × maxBatch × S) + o × (capacity + 2 × maxBatch),
        // with k = 1 (ASCII lines), o = 64 bytes per item and base = 64 KiB (see the Shipper module docs).
        const S = run.longest
        const formula = 65_536 + S * (capacity + 2 * maxBatch) +
          64 * (capacity + 2 * maxBatch)
        const growth = after - before
        const unbounded = lines * S
        console.log(
          `heap growth ${(growth / 1e6).toFixed(2)} MB after ${lines} lines (longest ${S} B); ` +
            `formula ${(formula / 1e6).toFixed(2)} MB; keeping every line would take ≥ ${
              (unbounded / 1e6).toFixed(0)
            } MB`
        )
        expect(run.local()).toBe(lines)
        expect(s.accepted + s.rejected).toBe(lines)
        expect(s.accepted).toBeLessThanOrEqual(capacity + maxBatch)
        expect(growth).toBeLessThan(formula)

        const closing = yield* Effect.fork(Scope.close(run.scope, Exit.void))
        yield* TestClock.adjust("2 seconds")
        yield* closing.await
      }),
    120_000
  )
})
