/**
 * @lifeline/queue: the cost of a counting dropping queue against Effect's `Queue`, the cost of the remote half
 * of a dual-write logger at the `Effect.log` call site while the remote is stalled, shipping throughput to a
 * real loopback HTTP sink against a hand-written batched `fetch` loop, and retained heap against
 * `Logger.batched` with a stalled remote.
 */
import { Deadline } from "@lifeline/deadline"
import { DroppingQueue, DualWriteLogger, Shipper } from "@lifeline/queue"
import { Effect, Exit, Layer, Logger, Queue, Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { atLeast, atMost, type Suite } from "./harness.ts"
import { collectGarbage, retainedHeapBytes } from "@lifeline/test-kit"

const heapUsed = retainedHeapBytes

// --- offer -------------------------------------------------------------------------------------------------

const offers = 300_000
const queueCapacity = 4096

/** Offers `offers` items, draining the queue whenever it is full; returns offers per second. */
const effectQueueOffers = (): number => {
  const queue = Effect.runSync(Queue.dropping<number>(queueCapacity))
  const drain = Queue.takeAll(queue)
  const t0 = performance.now()
  for (let i = 0; i < offers; i++) {
    if (!queue.unsafeOffer(i)) {
      Effect.runSync(drain)
      queue.unsafeOffer(i)
    }
  }
  return offers / ((performance.now() - t0) / 1000)
}

const droppingQueueOffers = (): number => {
  const queue = DroppingQueue.unsafeMake<number>({
    capacity: queueCapacity,
    name: "bench"
  })
  const t0 = performance.now()
  for (let i = 0; i < offers; i++) {
    if (!queue.unsafeOffer(i)) {
      queue.unsafeTakeUpTo(queueCapacity)
      queue.unsafeOffer(i)
    }
  }
  return offers / ((performance.now() - t0) / 1000)
}

// --- log call site -----------------------------------------------------------------------------------------

const logCalls = 200_000
const noopLogger = Logger.make<unknown, void>(() => {})

/** A shipper whose remote never answers, already full, for the life of the benchmark process. */
const stalledShipper = (name: string, capacity: number) =>
  Effect.runSync(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        send: (_: ReadonlyArray<string>) => Effect.never,
        capacity,
        maxBatch: 500,
        linger: "10 millis",
        sendTimeout: "1 hour",
        flushTimeout: "1 second",
        name
      }).pipe(
        Scope.extend(scope),
        Effect.provide(Logger.replace(Logger.defaultLogger, noopLogger))
      )
      return {
        shipper,
        close: () => Effect.runFork(Scope.close(scope, Exit.void))
      }
    })
  )

const timeLogs = (layer: Layer.Layer<never>): number => {
  const program = Effect.gen(function* () {
    for (let i = 0; i < logCalls; i++) yield* Effect.logInfo("work step", i)
  }).pipe(Effect.provide(layer))
  const t0 = performance.now()
  Effect.runSync(program)
  return performance.now() - t0
}

// --- HTTP shipping -----------------------------------------------------------------------------------------

const items = 100_000
const maxBatch = 1000
const line = (i: number) => `ts=2026-01-01T00:00:00Z level=info msg="processed record ${i}" job=bench-${i % 7}`

const startSink = () =>
  new Promise<
    { url: string; received: () => number; close: () => Promise<void> }
  >((resolve) => {
    let received = 0
    const server = http.createServer((req, res) => {
      let lines = 0
      req.on("data", (chunk: Buffer) => {
        for (const b of chunk) if (b === 0x0a) lines++
      })
      req.on("end", () => {
        received += lines
        res.writeHead(204).end()
      })
    })
    server.keepAliveTimeout = 60_000
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}/logs`,
        received: () => received,
        close: () => new Promise((done) => server.close(() => done()))
      })
    })
  })

const body = (batch: ReadonlyArray<string>) => batch.join("\n") + "\n"

/** The usual hand-written shipper: an array, and a loop posting up to `maxBatch` lines per request. */
const handWritten = async (url: string): Promise<number> => {
  collectGarbage()
  const t0 = performance.now()
  const buffer: Array<string> = []
  for (let i = 0; i < items; i++) buffer.push(line(i))
  while (buffer.length > 0) {
    const batch = buffer.splice(0, maxBatch)
    const response = await fetch(url, { method: "POST", body: body(batch) })
    await response.arrayBuffer()
  }
  return items / ((performance.now() - t0) / 1000)
}

const viaShipper = (url: string): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function* () {
      collectGarbage()
      const t0 = performance.now()
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        send: (batch: ReadonlyArray<string>) =>
          Deadline.tryPromise(async (signal) => {
            const response = await fetch(url, {
              method: "POST",
              body: body(batch),
              signal
            })
            await response.arrayBuffer()
          }),
        capacity: items,
        maxBatch,
        linger: "0 millis",
        sendTimeout: "10 seconds",
        flushTimeout: "60 seconds",
        name: "bench-http"
      }).pipe(Scope.extend(scope))
      for (let i = 0; i < items; i++) shipper.unsafeSubmit(line(i))
      yield* Scope.close(scope, Exit.void)
      const s = shipper.unsafeStats()
      if (s.shipped !== items) {
        throw new Error(`shipped ${s.shipped} of ${items}`)
      }
      return items / ((performance.now() - t0) / 1000)
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, noopLogger)))
  )

// --- heap with a stalled remote ----------------------------------------------------------------------------

const heapLines = 100_000

const logMany = Effect.gen(function* () {
  for (let i = 0; i < heapLines; i++) {
    yield* Effect.logInfo(`processed record ${i} of batch ${i % 97}: ok`)
  }
})

/** `Logger.batched` whose flush never completes (a stalled remote): every later line stays in its buffer. */
const batchedGrowthMb = (): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const logger = yield* Logger.batched(
        Logger.logfmtLogger,
        "10 millis",
        (_: Array<string>) => Effect.never
      ).pipe(
        Scope.extend(scope)
      )
      yield* Effect.sleep("20 millis") // its first flush is now stuck
      const before = heapUsed()
      yield* logMany.pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const growth = heapUsed() - before
      // Its finalizer would flush forever: leave the scope open, as a stuck process would.
      return growth / 1e6
    })
  )

const shipperGrowthMb = (): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const { close, shipper } = stalledShipper("bench-heap", 10_000)
      const before = heapUsed()
      yield* logMany.pipe(
        Effect.provide(DualWriteLogger.layer({ shipper, local: noopLogger }))
      )
      const growth = heapUsed() - before
      close()
      return growth / 1e6
    })
  )

const suite: Suite = {
  name: "queue",
  comparisons: async () => {
    const sink = await startSink()
    const stalled = stalledShipper("bench-stalled", 1000)
    // Fill it once: from here on every remote copy is refused, as with a wedged control plane.
    for (let i = 0; i < 2000; i++) stalled.shipper.unsafeSubmit("x")
    return [
      {
        name: "offer (draining when full)",
        unit: "offers/s",
        higherIsBetter: true,
        target: atLeast(1),
        baseline: {
          label: "Effect Queue.dropping unsafeOffer",
          run: effectQueueOffers
        },
        subject: {
          label: "DroppingQueue unsafeOffer",
          run: droppingQueueOffers
        }
      },
      {
        name: `Effect.log call site, remote stalled (${logCalls} calls)`,
        unit: "ms",
        higherIsBetter: false,
        runs: 9,
        target: atMost(1.1),
        baseline: {
          label: "no-op logger",
          run: () => timeLogs(Logger.replace(Logger.defaultLogger, noopLogger))
        },
        subject: {
          label: "DualWriteLogger (no-op local)",
          run: () =>
            timeLogs(
              DualWriteLogger.layer({
                shipper: stalled.shipper,
                local: noopLogger
              })
            )
        }
      },
      {
        name: `ship ${items} lines to loopback HTTP, batches of ${maxBatch}`,
        unit: "lines/s",
        higherIsBetter: true,
        runs: 7,
        target: atLeast(0.9),
        baseline: {
          label: "hand-written fetch loop",
          run: () => handWritten(sink.url)
        },
        subject: {
          label: "Shipper + Deadline.tryPromise",
          run: async () => {
            const result = await viaShipper(sink.url)
            return result
          }
        }
      },
      {
        name: `heap growth, ${heapLines} lines, remote stalled`,
        unit: "MB",
        higherIsBetter: false,
        runs: 3,
        warmup: 0,
        target: { text: "bounded (≤ 0.1×)", met: (r) => r <= 0.1 },
        baseline: { label: "Logger.batched", run: batchedGrowthMb },
        subject: {
          label: "DualWriteLogger + Shipper (cap 10k)",
          run: shipperGrowthMb
        }
      }
    ]
  }
}

export default suite
