/**
 * The code of the `@lifeline/queue` guide (`docs/guide/queue.md`), one region per snippet. The file is
 * typechecked with the project, so the guide cannot drift from the API. Names declared below the imports stand
 * for the reader's own code.
 */
// #region import
import { DroppingQueue, DualWriteLogger, LineBuffer, Shipper } from "@lifeline/queue"
// #endregion import
import { Deadline } from "@lifeline/deadline"
import { Effect, Logger, Schedule, Stream } from "effect"

declare const childStdout: Stream.Stream<Uint8Array>
declare const runJob: Effect.Effect<void>
declare const send: (batch: ReadonlyArray<string>) => Effect.Effect<void>

// #region dropping-queue
export const events = Effect.gen(function* () {
  const queue = yield* DroppingQueue.make<string>({ capacity: 10_000, maxBytes: 4 << 20, name: "events" })

  queue.unsafeOffer("user signed in") // true, or false when full — never waits
  yield* DroppingQueue.offer(queue, "user signed out")

  const batch = yield* DroppingQueue.takeBatch(queue, 500) // waits for at least one item
  const { offered, accepted, dropped, droppedBytes, size, bytes } = yield* DroppingQueue.stats(queue)
  return { batch, offered, accepted, dropped, droppedBytes, size, bytes }
})
// #endregion dropping-queue

// #region weigh
interface Upload {
  readonly path: string
  readonly body: Uint8Array
}

export const uploads = DroppingQueue.unsafeMake<Upload>({
  capacity: 1_000,
  maxBytes: 64 << 20,
  // A finite number ≥ 0, fractions allowed. NaN, a negative, Infinity or a throw is a bug in the caller:
  // `unsafeOffer` throws InvalidOptions (option "weigh") and no counter moves.
  weigh: (upload) => upload.body.byteLength,
  strategy: "drop-oldest"
})
// #endregion weigh

// #region line-buffer
export const shipChildOutput = (shipper: Shipper.Shipper<string>) =>
  Effect.gen(function* () {
    const buffer = yield* LineBuffer.make({ maxBytes: 4 << 20, maxLineBytes: 16 << 10 })
    yield* Stream.runForEach(childStdout, (chunk) =>
      Effect.sync(() => {
        buffer.write(chunk)
        for (const line of buffer.take()) shipper.unsafeSubmit(line.text)
      }))
    // At the end of the stream, the last line may have no newline.
    for (const line of buffer.flush()) shipper.unsafeSubmit(line.text)
    return buffer.stats() // { lines, droppedLines, droppedBytes, truncatedLines }
  })
// #endregion line-buffer

// #region line-buffer-truncation
const buffer = LineBuffer.unsafeMake({ maxBytes: 100 }) // maxLineBytes: min(maxBytes, 65536) = 100
buffer.write("x".repeat(150) + "\nne")
buffer.take() // [{ text: "xxx…x" (100 bytes), truncated: true, terminated: true }]
buffer.write("xt\n")
buffer.take() // [{ text: "next", truncated: false, terminated: true }] — never "xxx…next"
// #endregion line-buffer-truncation

// #region shipper
export const program = Effect.gen(function* () {
  const shipper = yield* Shipper.make({
    send: (batch: ReadonlyArray<string>) =>
      Deadline.tryPromise((signal) =>
        fetch("http://127.0.0.1:8080/logs", { method: "POST", body: batch.join("\n"), signal })
      ),
    capacity: 10_000, // items waiting, at most
    maxBytes: 8 << 20, // and at most this much weight
    maxBatch: 500, // items per send
    linger: "200 millis", // how long a batch that is not full waits for more (a full queue does not wait)
    sendTimeout: "5 seconds", // one batch, retries included
    flushTimeout: "10 seconds", // the whole final flush
    retry: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
    name: "logs"
  })
  shipper.unsafeSubmit("job started") // never blocks
  // …
}).pipe(Effect.scoped) // closing the scope flushes, within flushTimeout
// #endregion shipper

// #region send-throws
export const fragile = Shipper.make({
  // JSON.stringify throws on a bigint before any Effect exists. That batch is dropped, counted in
  // `dropped` and `lifeline_shipper_send_failures_total`, and logged with the error; the next one ships.
  send: (batch: ReadonlyArray<{ readonly id: bigint }>) => {
    const body = JSON.stringify(batch)
    return Deadline.tryPromise((signal) => fetch("http://127.0.0.1:8080/events", { method: "POST", body, signal }))
  },
  capacity: 1_000,
  maxBatch: 100,
  linger: "100 millis",
  sendTimeout: "2 seconds",
  flushTimeout: "5 seconds",
  name: "events"
})
// #endregion send-throws

// #region dual-write
export const main = Effect.gen(function* () {
  const shipper = yield* Shipper.make({
    send,
    capacity: 10_000,
    maxBatch: 500,
    linger: "200 millis",
    sendTimeout: "5 seconds",
    flushTimeout: "10 seconds",
    name: "control-plane"
  })
  yield* runJob.pipe(Effect.provide(DualWriteLogger.layer({ shipper })))
}).pipe(Effect.scoped)
// #endregion dual-write

// #region dual-write-format
export const jsonToRemote = (shipper: Shipper.Shipper<string>) =>
  DualWriteLogger.layer({
    shipper,
    local: Logger.logfmtLogger.pipe(Logger.withConsoleLog),
    // Runs only when the shipper can take the line. If it throws (a bigint annotation, a cyclic value), the
    // caller's log call still succeeds: the line is written locally and the lost remote copy is counted.
    format: Logger.jsonLogger.log
  })
// #endregion dual-write-format
