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
import * as LogApi from "./logApi.ts"

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

export const start = (
  options: Options
): Effect.Effect<NaivePath, never, Scope.Scope> =>
  Effect.gen(function* () {
    let pending: Array<string> = []
    let pendingBytes = 0
    let carry = ""
    let requestsCompleted = 0
    let unshippedLines = 0

    const splitLines = (chunks: ReadonlyArray<string>): Array<string> => {
      const lines: Array<string> = []
      for (const chunk of chunks) {
        const parts = (carry + chunk).split("\n")
        carry = parts.pop()!
        for (const line of parts) {
          for (
            let at = 0;
            at < line.length || at === 0;
            at += options.maxLineChars
          ) {
            lines.push(line.slice(at, at + options.maxLineChars))
          }
        }
      }
      return lines
    }

    const ship = (lines: ReadonlyArray<string>) =>
      Effect.promise(() =>
        fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: LogApi.encode(
            lines.map((text) => ({ text, truncated: false }))
          )
        }).then((response) => response.arrayBuffer())
      ).pipe(Effect.tap(() => Effect.sync(() => requestsCompleted++)))

    const drainOnce = Effect.gen(function* () {
      const chunks = pending
      pending = []
      pendingBytes = 0
      const lines = splitLines(chunks)
      unshippedLines = lines.length
      for (let at = 0; at < lines.length; at += options.linesPerRequest) {
        yield* ship(lines.slice(at, at + options.linesPerRequest))
        unshippedLines = Math.max(
          0,
          lines.length - at - options.linesPerRequest
        )
      }
    })

    let closing = false
    const loop = yield* drainOnce.pipe(
      Effect.repeat({
        schedule: Schedule.spaced("50 millis"),
        until: () => closing && pending.length === 0
      }),
      Effect.forkScoped
    )

    return {
      onChunk: (chunk) => {
        pending.push(
          Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
            .toString("utf8")
        )
        pendingBytes += chunk.byteLength
      },
      flush: Effect.suspend(() => {
        closing = true
        return Fiber.join(loop)
      }).pipe(Effect.asVoid),
      pendingBytes: () => pendingBytes,
      requestsCompleted: () => requestsCompleted,
      unshippedLines: () => unshippedLines
    }
  })
