/**
 * The runner's log path as the incident had it, in Effect terms:
 *
 * - the job's stdout is decoded chunk by chunk (`toString("utf8")`, which mangles a character split
 *   across two chunks) and appended to an unbounded buffer of text — the runner's copy of the pod's
 *   output, bounded only by how fast it is drained;
 * - a drain loop wakes every 50 ms, takes everything buffered, splits it into lines and ships them —
 *   inside the loop, one request after another, each waiting for the API's answer (`Effect.promise`
 *   around `fetch`: no deadline, no cancellation);
 * - a line longer than the cap is shipped as several lines, the way a quick cap does it.
 *
 * While a request is waiting the loop drains nothing, so the buffer grows as fast as the job writes; and
 * the final flush waits for the loop to ship everything, however long the API takes.
 */
import { Effect, Fiber, Schedule, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import type { NaiveFigures } from "./judge.ts"
import * as LogApi from "./logApi.ts"
import * as Replay from "./replay.ts"
import * as RunJob from "./runJob.ts"

export interface Options {
  readonly url: string
  /** Longest line shipped; longer ones are split into pieces of this many characters. */
  readonly maxLineChars: number
  /** Lines per request. */
  readonly linesPerRequest: number
}

export interface NaivePath {
  /** Where the job's stdout goes. */
  readonly onChunk: (chunk: Uint8Array) => void
  /** Waits until the drain loop has shipped everything: however long the API takes. */
  readonly flush: Effect.Effect<void>
  /** Bytes of job output waiting in the unbounded buffer. */
  readonly pendingBytes: () => number
  /** Lines the drain loop has split off and still holds, waiting for their requests. */
  readonly unshippedLines: () => number
  /** Requests the drain loop has completed. */
  readonly requestsCompleted: () => number
}

export const start = (options: Options): Effect.Effect<NaivePath, never, Scope.Scope> =>
  Effect.gen(function* () {
    let requestsCompleted = 0
    let unshippedLines = 0
    // #region runner
    let pending: Array<string> = [] // unbounded: only draining empties it
    let pendingBytes = 0
    let carry = ""
    let closing = false

    const onChunk = (chunk: Uint8Array) => {
      // Decoded chunk by chunk: a character split across two chunks becomes U+FFFD.
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8"))
      pendingBytes += chunk.byteLength
    }

    const splitLines = (chunks: ReadonlyArray<string>): Array<string> => {
      const lines: Array<string> = []
      for (const chunk of chunks) {
        const parts = (carry + chunk).split("\n")
        carry = parts.pop()!
        for (const line of parts) {
          // A quick cap: a long line is shipped as several lines the job never wrote.
          for (let at = 0; at < line.length || at === 0; at += options.maxLineChars) {
            lines.push(line.slice(at, at + options.maxLineChars))
          }
        }
      }
      return lines
    }

    // No deadline, no cancellation: a request takes as long as the API does.
    const ship = (lines: ReadonlyArray<string>) =>
      Effect.promise(() =>
        fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: LogApi.encode(lines.map((text) => ({ text, truncated: false })))
        }).then((response) => response.arrayBuffer())
      ).pipe(Effect.tap(() => Effect.sync(() => requestsCompleted++)))

    // Shipping inside the drain loop: while a request waits, nothing is drained.
    const drainOnce = Effect.gen(function* () {
      const chunks = pending
      pending = []
      pendingBytes = 0
      const lines = splitLines(chunks)
      unshippedLines = lines.length
      for (let at = 0; at < lines.length; at += options.linesPerRequest) {
        yield* ship(lines.slice(at, at + options.linesPerRequest))
        unshippedLines = Math.max(0, lines.length - at - options.linesPerRequest)
      }
    })

    const loop = yield* drainOnce.pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: () => closing && pending.length === 0 }),
      Effect.forkScoped
    )
    // The final flush waits for the loop to ship everything, however long that takes.
    const flush = Effect.suspend(() => {
      closing = true
      return Fiber.join(loop)
    })
    // #endregion runner

    return {
      onChunk,
      flush: Effect.asVoid(flush),
      pendingBytes: () => pendingBytes,
      requestsCompleted: () => requestsCompleted,
      unshippedLines: () => unshippedLines
    }
  })

/** The incident: a 2-second log API, the job at full speed, the runner above. */
export const run = (
  ctx: Context<NaiveFigures>
): Effect.Effect<NaiveFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const { megabytes, seed } = Replay.jobOptions(ctx.args)
    const api = yield* LogApi.start(Replay.apiDelay)
    const path = yield* start({
      url: api.url,
      maxLineChars: 8192,
      linesPerRequest: 500
    })
    const job = yield* RunJob.start({ megabytes, seed, onChunk: path.onChunk })
    ctx.event("job started")
    // Recorded as it goes: the memory watchdog, not the run, is expected to end it.
    const figures = (): NaiveFigures => {
      const received = api.received()
      return {
        jobBytesRead: job.bytesRead(),
        pendingMb: Math.round(path.pendingBytes() / Replay.MiB),
        unshippedLines: path.unshippedLines(),
        requestsCompleted: path.requestsCompleted(),
        linesReceived: received.lines,
        fabricatedLines: received.fabricated,
        firstFabricated: received.firstFabricated ?? null
      }
    }
    yield* Effect.sync(() => {
      const now = figures()
      ctx.record(now)
      ctx.sample("pendingMb", now.pendingMb)
    }).pipe(
      Effect.repeat(Schedule.spaced("100 millis")),
      Effect.forkScoped
    )
    yield* job.finished
    yield* path.flush
    return figures()
  })
