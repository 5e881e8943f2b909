/**
 * @lifeline/queue: the cost of `DroppingQueue.unsafeOffer` against a preallocated ring buffer doing the same
 * byte accounting, the cost of the remote half of a dual-write logger at the `Effect.log` call site while the
 * remote is stalled, shipping throughput to a real loopback HTTP sink against a hand-written batched `fetch`
 * loop (plain, and bounding each post the way a Shipper does), and retained heap against `Logger.batched`
 * with a stalled remote. Scaling: offers with 1–16 concurrent producers, `LineBuffer` from 1 KB to 1 GB
 * written, and 1 or 100 shippers sharing one sink.
 *
 * Effect's `Queue.dropping` is no longer compared: draining it needs a `runSync` per batch, so the ratio
 * measured that call rather than the queue.
 */
import { Deadline } from "@lifeline/deadline"
import { DroppingQueue, DualWriteLogger, LineBuffer, Shipper } from "@lifeline/queue"
import { Effect, Exit, Fiber, Layer, Logger, Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { utf8Length } from "../packages/queue/src/internal/utf8.ts"
import { atLeast, atMost, scaled, smoke, type Suite } from "./harness.ts"
import { collectGarbage, retainedHeapBytes } from "@lifeline/test-kit"

const heapUsed = retainedHeapBytes

// --- offer ---------------------------------------------------------------------------------------------------

const offers = scaled(1_000_000, 4096)
const drainEvery = 1024
const queueCapacity = 4096
/** Large enough that the byte check runs on every offer without refusing: the accepting path is measured. */
const queueMaxBytes = 1 << 20

/**
 * Log lines as a queue sees them: 60–140 bytes, one in eight with non-ASCII text (whose UTF-8 length differs
 * from its `length`), each a flat string (joined, not concatenated), so that no side pays to flatten a rope.
 */
const offerLines: ReadonlyArray<string> = Array.from({ length: 1024 }, (_, i) =>
  [
    `ts=2026-01-01T00:00:${String(i % 60).padStart(2, "0")}Z level=info`,
    `msg="${i % 8 === 0 ? "reçu → traité" : "processed"} record ${i}"`,
    `job=bench-${i % 7}`,
    "x".repeat(i % 48)
  ].join(" "))

const lengthWeigh = (s: string): number => s.length

/**
 * The floor: a preallocated ring buffer with the same byte accounting (the `maxBytes` check, the buffered and
 * dropped weights) and nothing else. Offers per second; drained into an array every `drainEvery` offers.
 */
const ringOffers = (weigh: (s: string) => number) => (): number => {
  const items: Array<string | undefined> = new Array(queueCapacity)
  const weights = new Float64Array(queueCapacity)
  let head = 0
  let count = 0
  let bytes = 0
  let dropped = 0
  let droppedBytes = 0
  const offer = (item: string): boolean => {
    const w = weigh(item)
    if (count >= queueCapacity || bytes + w > queueMaxBytes) {
      dropped++
      droppedBytes += w
      return false
    }
    let tail = head + count
    if (tail >= queueCapacity) tail -= queueCapacity
    items[tail] = item
    weights[tail] = w
    count++
    bytes += w
    return true
  }
  const drain = (): Array<string> => {
    const out: Array<string> = new Array(count)
    for (let i = 0; i < out.length; i++) {
      out[i] = items[head]!
      items[head] = undefined
      bytes -= weights[head]!
      head = head + 1 === queueCapacity ? 0 : head + 1
      count--
    }
    return out
  }
  let taken = 0
  const t0 = performance.now()
  for (let i = 0; i < offers; i++) {
    offer(offerLines[i & 1023]!)
    if ((i & (drainEvery - 1)) === drainEvery - 1) taken += drain().length
  }
  const elapsed = performance.now() - t0
  if (taken + count + dropped !== offers || droppedBytes < 0) throw new Error("ring buffer lost an offer")
  return offers / (elapsed / 1000)
}

const droppingQueueOffers = (weigh: ((s: string) => number) | undefined) => (): number => {
  const queue = DroppingQueue.unsafeMake<string>({
    capacity: queueCapacity,
    maxBytes: queueMaxBytes,
    weigh,
    name: "bench"
  })
  let taken = 0
  const t0 = performance.now()
  for (let i = 0; i < offers; i++) {
    queue.unsafeOffer(offerLines[i & 1023]!)
    if ((i & (drainEvery - 1)) === drainEvery - 1) taken += queue.unsafeTakeUpTo(drainEvery).length
  }
  const elapsed = performance.now() - t0
  const s = queue.unsafeStats()
  if (taken + s.size + s.dropped !== offers) throw new Error("queue lost an offer")
  return offers / (elapsed / 1000)
}

// --- log call site -----------------------------------------------------------------------------------------

const logCalls = scaled(200_000, 2000)
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
  // Each run starts from a collected heap, so that neither side inherits the other's garbage.
  collectGarbage()
  const t0 = performance.now()
  Effect.runSync(program)
  return performance.now() - t0
}

// --- HTTP shipping -----------------------------------------------------------------------------------------

const items = scaled(100_000, 1000)
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

/** What a real sink's `send` looks like: one POST per batch, through `Deadline.tryPromise` (which passes a signal). */
const postBatch = (url: string, batch: ReadonlyArray<string>) =>
  Deadline.tryPromise(async (signal) => {
    const response = await fetch(url, { method: "POST", body: body(batch), signal })
    await response.arrayBuffer()
  })

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

/**
 * The same loop with the deadline work a Shipper does per batch, in one fiber: each post under
 * `Deadline.within(sendTimeout)`, through the same `Deadline.tryPromise` send. Against the Shipper it isolates
 * what the Shipper itself costs (queue, weighing, batching, accounting) from what bounding a send costs.
 */
const handWrittenWithDeadline = (url: string): Promise<number> =>
  Effect.runPromise(Effect.gen(function* () {
    collectGarbage()
    const t0 = performance.now()
    const buffer: Array<string> = []
    for (let i = 0; i < items; i++) buffer.push(line(i))
    while (buffer.length > 0) {
      yield* Deadline.within(postBatch(url, buffer.splice(0, maxBatch)), "10 seconds")
    }
    return items / ((performance.now() - t0) / 1000)
  }))

const viaShipper = (url: string): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function* () {
      collectGarbage()
      const t0 = performance.now()
      const scope = yield* Scope.make()
      const shipper = yield* Shipper.make({
        send: (batch: ReadonlyArray<string>) => postBatch(url, batch),
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

const heapLines = scaled(100_000, 1000)

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

// --- scaling -----------------------------------------------------------------------------------------------

/**
 * The first measurement of a series runs once untimed first: the harness measures sizes in order, and the JIT
 * warming up on the smallest size would otherwise read as a slope.
 */
const warmedUp = <A extends number>(measure: (size: A) => Promise<number> | number) => {
  let warm = false
  return async (size: A): Promise<number> => {
    if (!warm) {
      warm = true
      await measure(size)
    }
    return measure(size)
  }
}

/** One loopback sink for the whole suite: the comparisons and the scaling series post to the same server. */
let sharedSink: ReturnType<typeof startSink> | undefined
const sink = () => (sharedSink ??= startSink())

const producerOffers = scaled(400_000, 4096)

/**
 * `producers` fibers offer `producerOffers` lines in all, 64 at a time between yields so that their offers
 * interleave, while one consumer takes batches of 1024 until the queue is closed and drained. Nanoseconds per
 * offer, end to end.
 */
const offerWithProducers = (producers: number): Promise<number> =>
  Effect.runPromise(Effect.gen(function* () {
    const queue = DroppingQueue.unsafeMake<string>({
      capacity: queueCapacity,
      maxBytes: queueMaxBytes,
      name: "bench-producers"
    })
    const perProducer = Math.ceil(producerOffers / producers)
    const produce = (p: number) =>
      Effect.gen(function* () {
        for (let i = 0; i < perProducer; i++) {
          queue.unsafeOffer(offerLines[(p * 131 + i) & 1023]!)
          if ((i & 63) === 63) yield* Effect.yieldNow()
        }
      })
    let taken = 0
    const consume = Effect.gen(function* () {
      while (true) {
        const batch = yield* DroppingQueue.takeBatch(queue, 1024)
        if (batch.length === 0) return
        taken += batch.length
      }
    })
    const t0 = performance.now()
    const consumer = yield* Effect.fork(consume)
    yield* Effect.forEach(Array.from({ length: producers }, (_, p) => p), produce, {
      concurrency: "unbounded",
      discard: true
    })
    yield* DroppingQueue.close(queue)
    yield* Fiber.join(consumer)
    const elapsed = performance.now() - t0
    const s = queue.unsafeStats()
    if (s.offered !== perProducer * producers || taken + s.dropped !== s.offered) {
      throw new Error("producers: an offer went missing")
    }
    return (elapsed * 1e6) / s.offered
  }))

/** A 64 KiB chunk of log lines; lines straddle chunk ends, as they do in a pipe. */
const streamChunk: Uint8Array = (() => {
  const text = Array.from(
    { length: 1024 },
    (_, i) => `ts=2026-01-01T00:00:00Z level=info msg="child output ${i}" pid=${1000 + (i % 13)}\n`
  ).join("")
  const bytes = new TextEncoder().encode(text)
  const chunk = new Uint8Array(65_536)
  for (let at = 0; at < chunk.length; at += bytes.length) {
    chunk.set(bytes.subarray(0, Math.min(bytes.length, chunk.length - at)), at)
  }
  return chunk
})()

/**
 * MB/s of `LineBuffer.write` + `take` over `size` bytes written to one buffer in 64 KiB chunks (or one chunk of
 * `size` bytes when smaller), its lines taken after each chunk. Small sizes repeat with a new buffer until 20 ms
 * have passed, so that the clock's resolution does not decide the figure.
 */
const lineBufferThroughput = (size: number): number => {
  let written = 0
  let lines = 0
  const t0 = performance.now()
  do {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 1 << 20 })
    for (let left = size; left > 0; left -= streamChunk.length) {
      buffer.write(left >= streamChunk.length ? streamChunk : streamChunk.subarray(0, left))
      lines += buffer.take().length
    }
    lines += buffer.flush().length
    written += size
    if (buffer.stats().droppedLines > 0) throw new Error("line buffer dropped lines")
  } while (performance.now() - t0 < 20)
  const elapsed = performance.now() - t0
  if (lines === 0) throw new Error("line buffer returned no lines")
  return written / 1e6 / (elapsed / 1000)
}

const sharedSinkItems = scaled(30_000, 1000)
const sharedSinkBatch = 100

/**
 * `shippers` shippers share one loopback sink and ship `sharedSinkItems` lines between them (batches of
 * `sharedSinkBatch`, submitted round-robin, then flushed by closing the scope): microseconds per line, from the
 * first submission to the last shipper closed. Making the shippers is a one-time cost and is not timed.
 */
const shippersSharingSink = (shippers: number): Promise<number> =>
  sink().then((loopback) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const all = yield* Effect.forEach(
          Array.from({ length: shippers }, (_, k) => k),
          (k) =>
            Shipper.make({
              send: (batch: ReadonlyArray<string>) => postBatch(loopback.url, batch),
              capacity: Math.ceil(sharedSinkItems / shippers),
              maxBatch: sharedSinkBatch,
              linger: "0 millis",
              sendTimeout: "10 seconds",
              flushTimeout: "60 seconds",
              name: `bench-shared-${k}`
            }).pipe(Scope.extend(scope))
        )
        collectGarbage()
        const t0 = performance.now()
        for (let i = 0; i < sharedSinkItems; i++) all[i % shippers]!.unsafeSubmit(line(i))
        yield* Scope.close(scope, Exit.void)
        const shipped = all.reduce((sum, shipper) => sum + shipper.unsafeStats().shipped, 0)
        if (shipped !== sharedSinkItems) throw new Error(`shipped ${shipped} of ${sharedSinkItems}`)
        return ((performance.now() - t0) * 1000) / sharedSinkItems
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, noopLogger)))
    )
  )

const suite: Suite = {
  name: "queue",
  comparisons: async () => {
    const loopback = await sink()
    const stalled = stalledShipper("bench-stalled", 1000)
    // Fill it once: from here on every remote copy is refused, as with a wedged control plane.
    for (let i = 0; i < 2000; i++) stalled.shipper.unsafeSubmit("x")
    return [
      {
        name: `offer with byte accounting, weigh = length (drained every ${drainEvery})`,
        unit: "offers/s",
        higherIsBetter: true,
        runs: 9,
        target: atLeast(0.8),
        baseline: { label: "preallocated ring buffer", run: ringOffers(lengthWeigh) },
        subject: { label: "DroppingQueue unsafeOffer", run: droppingQueueOffers(lengthWeigh) }
      },
      {
        name: `offer with byte accounting, default weigh (UTF-8 length) (drained every ${drainEvery})`,
        unit: "offers/s",
        higherIsBetter: true,
        runs: 9,
        target: atLeast(0.8),
        baseline: { label: "preallocated ring buffer", run: ringOffers(utf8Length) },
        subject: { label: "DroppingQueue unsafeOffer", run: droppingQueueOffers(undefined) }
      },
      {
        name: `Effect.log call site, remote stalled (${logCalls} calls)`,
        unit: "ms",
        higherIsBetter: false,
        // A log call is ~2 µs and the remote side a few per cent of it: more runs, for a steadier median.
        runs: 15,
        target: atMost(1.05),
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
          run: () => handWritten(loopback.url)
        },
        subject: {
          label: "Shipper + Deadline.tryPromise",
          run: async () => {
            const result = await viaShipper(loopback.url)
            return result
          }
        }
      },
      {
        name: `ship ${items} lines to loopback HTTP, batches of ${maxBatch}, both sides bounding each post`,
        unit: "lines/s",
        higherIsBetter: true,
        runs: 7,
        target: atLeast(0.9),
        baseline: {
          label: "hand-written loop, Deadline.within + Deadline.tryPromise per post",
          run: () => handWrittenWithDeadline(loopback.url)
        },
        subject: { label: "Shipper + Deadline.tryPromise", run: () => viaShipper(loopback.url) }
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
  },
  scaling: () => [
    {
      name: "DroppingQueue offer, concurrent producers (one consumer)",
      unit: "ns/offer",
      sizeLabel: "producers",
      sizes: [1, 4, 16],
      measure: warmedUp(offerWithProducers)
    },
    {
      name: "LineBuffer write + take, 64 KiB chunks",
      unit: "MB/s",
      sizeLabel: "bytes written",
      // The 1 GB point streams for seconds: full runs only.
      sizes: smoke ? [1_000, 1_000_000] : [1_000, 1_000_000, 100_000_000, 1_000_000_000],
      measure: warmedUp(lineBufferThroughput)
    },
    {
      name: `Shippers sharing one loopback sink (${sharedSinkItems} lines, batches of ${sharedSinkBatch})`,
      unit: "µs/line",
      sizeLabel: "shippers",
      sizes: [1, 100],
      measure: warmedUp(shippersSharingSink)
    }
  ]
}

export default suite
