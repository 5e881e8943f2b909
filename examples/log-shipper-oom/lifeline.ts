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
import * as LogApi from "./logApi.ts"

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

export const start = (
  options: Options
): Effect.Effect<LifelinePath, Deadline.InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const shipper = yield* Shipper.make({
      send: (batch: ReadonlyArray<LineBuffer.Line>) =>
        Deadline.tryPromise((signal) =>
          fetch(options.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: LogApi.encode(batch),
            signal
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
    const buffer = yield* LineBuffer.make(options.lineBuffer)
    const submitAll = (lines: ReadonlyArray<LineBuffer.Line>) => {
      for (const line of lines) shipper.unsafeSubmit(line)
    }
    yield* Effect.sync(() => submitAll(buffer.take())).pipe(
      Effect.repeat(Schedule.spaced("50 millis")),
      Effect.forkScoped
    )
    return {
      onChunk: (chunk) => buffer.write(chunk),
      finish: Effect.sync(() => submitAll(buffer.flush())),
      buffer,
      shipper
    }
  })
