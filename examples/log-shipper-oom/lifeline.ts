/**
 * The runner's log path with Lifeline: job stdout → `LineBuffer` → drain loop → `Shipper` → log API.
 *
 * - the job's stdout goes into a `LineBuffer` bounded by `maxBytes`: when it is full, whole lines are
 *   dropped and counted; a line longer than `maxLineBytes` is cut at a character boundary and flagged;
 * - the drain loop wakes every 50 ms and submits the buffered lines to the shipper, which never blocks:
 *   a slow API backs up into the shipper's bounded queue (and its drops), never into the drain loop;
 * - the shipper sends batches on its own fiber, each bounded by `sendTimeout` (`Deadline.tryPromise`
 *   aborts the request), and closing its scope flushes within `flushTimeout`.
 *
 * Everything held is bounded by the options, so the memory bound is a formula of them (see `memoryBound`).
 */
import { Deadline } from "@lifeline/deadline"
import { LineBuffer, Shipper } from "@lifeline/queue"
import { Duration, Effect, Schedule, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import { longEvery } from "./job.ts"
import type { LifelineFigures } from "./judge.ts"
import * as LogApi from "./logApi.ts"
import * as Replay from "./replay.ts"
import * as RunJob from "./runJob.ts"

export interface Options {
  readonly url: string
  readonly lineBuffer: LineBuffer.Options & { readonly maxLineBytes: number }
  readonly capacity: number
  readonly maxBytes: number
  readonly maxBatch: number
  readonly sendTimeout: Duration.DurationInput
  readonly flushTimeout: Duration.DurationInput
}

/**
 * Worst-case bytes the log path retains, from the formulas documented on `LineBuffer` and `Shipper`, plus
 * the request bodies: the batch being sent and one abandoned send, each encoded once by the client and
 * read once by the in-process API (`S` = the largest line, stored as UTF-16: 2 bytes per UTF-8 byte).
 */
export const memoryBound = (options: Options, shortestLineBytes: number) => {
  const S = options.lineBuffer.maxLineBytes
  const k = 2
  const o = 48
  const lineBuffer = 2 * options.lineBuffer.maxBytes + S + 1 +
    o * Math.ceil(options.lineBuffer.maxBytes / (shortestLineBytes + 1))
  const shipper = k *
      (Math.min(options.capacity * S, options.maxBytes) +
        2 * options.maxBatch * S) +
    o * (options.capacity + 2 * options.maxBatch)
  const requests = 2 * 2 * k * options.maxBatch * S
  return {
    lineBuffer,
    shipper,
    requests,
    total: lineBuffer + shipper + requests
  }
}

export interface LifelinePath {
  readonly onChunk: (chunk: Uint8Array) => void
  /** Drains the last lines (including an unterminated one) into the shipper. */
  readonly finish: Effect.Effect<void>
  readonly buffer: LineBuffer.LineBuffer
  readonly shipper: Shipper.Shipper<LineBuffer.Line>
}

const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8")

export const start = (options: Options): Effect.Effect<LifelinePath, Deadline.InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    // #region log-path
    // Ships on its own fiber; every request bounded by `sendTimeout`, closing the scope by `flushTimeout`.
    const shipper = yield* Shipper.make({
      send: (batch: ReadonlyArray<LineBuffer.Line>) =>
        Deadline.tryPromise((signal) =>
          fetch(options.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: LogApi.encode(batch),
            signal // aborted at the deadline: the request is really released
          }).then((response) => response.arrayBuffer())
        ),
      capacity: options.capacity,
      maxBytes: options.maxBytes,
      weigh: (line) => utf8Length(line.text),
      maxBatch: options.maxBatch,
      linger: "100 millis",
      sendTimeout: options.sendTimeout,
      flushTimeout: options.flushTimeout,
      name: "job-logs"
    })
    // Complete lines only, at most `maxBytes`; a line over `maxLineBytes` is cut and flagged, never split.
    const buffer = yield* LineBuffer.make(options.lineBuffer)
    const onChunk = (chunk: Uint8Array) => buffer.write(chunk)
    // The drain loop only submits, which never blocks: a slow API fills the shipper's queue, not memory.
    const submitAll = (lines: ReadonlyArray<LineBuffer.Line>) => {
      for (const line of lines) shipper.unsafeSubmit(line)
    }
    yield* Effect.sync(() => submitAll(buffer.take())).pipe(
      Effect.repeat(Schedule.spaced("50 millis")),
      Effect.forkScoped
    )
    // #endregion log-path
    return { onChunk, finish: Effect.sync(() => submitAll(buffer.flush())), buffer, shipper }
  })

// #region options
/** The Lifeline run's options: every buffer bounded, every wait with a deadline. */
export const options = (url: string): Options => ({
  url,
  lineBuffer: { maxBytes: Replay.MiB / 2, maxLineBytes: 8 * 1024 },
  capacity: 2_000,
  maxBytes: Replay.MiB,
  maxBatch: 250,
  sendTimeout: "3 seconds",
  flushTimeout: "3 seconds"
})
// #endregion options

/** The shortest line the job writes: `0 job-output ` plus 24 characters. */
export const shortestLineBytes = 37
/**
 * What a garbage-collected runtime carries between collections while ~100 MB/s streams through it: V8's
 * young generation (two 16 MiB semi-spaces) and the pipe's read buffers, which are freed only at the next
 * collection. No option of ours shrinks it; measured at 30-50 MiB on Node 20, so the bound allows 64 MiB.
 */
export const gcHeadroomMb = 64
/** How long `Deadline.within` waits for interrupted work after the deadline (its default grace). */
export const graceMs = 1_000

const rssMb = () => Math.round(process.memoryUsage.rss() / Replay.MiB)

/** The fix: the same job and API, through `LineBuffer` and `Shipper`. */
export const run = (ctx: Context<LifelineFigures>): Effect.Effect<LifelineFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const { megabytes, seed } = Replay.jobOptions(ctx.args)
    const api = yield* LogApi.start(Replay.apiDelay)
    const opts = options(api.url)
    const baselineRssMb = rssMb()
    const startupPeakRssMb = ctx.peakRssMb()
    const bound = memoryBound(opts, shortestLineBytes)
    let flushStarted = 0
    const { path, produced } = yield* Effect.gen(function* () {
      const path = yield* start(opts)
      const job = yield* RunJob.start({ megabytes, seed, onChunk: path.onChunk })
      ctx.event("job started")
      const produced = yield* job.finished
      yield* path.finish
      flushStarted = performance.now()
      ctx.event("flush started")
      return { path, produced }
      // Closing this scope is the final flush.
    }).pipe(Effect.scoped)
    const flushMs = Math.round(performance.now() - flushStarted)
    ctx.event("flush ended", { flushMs })
    const shipped = path.shipper.unsafeStats()
    const buffered = path.buffer.stats()
    const received = api.received()
    const flushTimeoutMs = Duration.toMillis(opts.flushTimeout)
    return {
      jobMb: Math.round(produced.bytes / Replay.MiB),
      jobLines: produced.lines,
      longLinesWritten: Math.floor(produced.lines / longEvery),
      baselineRssMb,
      retainedBoundMb: Math.round((bound.total / Replay.MiB) * 10) / 10,
      gcHeadroomMb,
      startupPeakRssMb,
      rssBoundMb: Math.round(baselineRssMb + gcHeadroomMb + bound.total / Replay.MiB),
      flushMs,
      flushTimeoutMs,
      flushLimitMs: flushTimeoutMs + graceMs,
      bufferDroppedLines: buffered.droppedLines,
      bufferTruncatedLines: buffered.truncatedLines,
      shipperAccepted: shipped.accepted,
      shipperRejected: shipped.rejected,
      shipped: shipped.shipped,
      shipperDropped: shipped.dropped,
      linesReceived: received.lines,
      exactLines: received.exact,
      truncatedPrefixes: received.truncatedPrefixes,
      fabricatedLines: received.fabricated
    }
  })
