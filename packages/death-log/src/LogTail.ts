/**
 * The last lines of a stream, bounded in lines and in bytes: what is left to read when the writer is gone.
 *
 * Answers the runner-death-log replay: a CI runner died mid-job, and the lines that would have said why lived
 * only on its stdout, which vanished when its pod was reaped. The controller kept the runner's last 200 lines /
 * 64 KiB and re-emitted them. The tail those lines came from — Kubernetes' `FallbackToLogsOnError` keeps
 * 80 lines / 2 KiB — is cut by bytes, so its first line can be a fragment of a line the program never wrote.
 * Here:
 *
 * - bytes go in (`write`, in chunks split anywhere, even inside a UTF-8 character), whole lines come out;
 * - the tail holds at most `maxLines` lines and at most `maxBytes` bytes of UTF-8 text: each new line evicts
 *   the oldest whole lines it needs room for, never part of one;
 * - a single line longer than `maxBytes` is cut at a UTF-8 character boundary and flagged `truncated`; what
 *   follows it up to its newline is counted in `truncatedBytes`, never joined to the next line;
 * - invalid UTF-8 decodes to U+FFFD and the line is measured as decoded, so the bound holds for the text kept;
 * - each line costs O(1) amortized, whatever the bounds (a ring, not an array that shifts).
 *
 * Lines are assembled by `LineBuffer` from `@lifeline/queue`, which never fabricates a line: every line of a
 * snapshot is an input line, or a prefix of exactly one input line flagged `truncated`.
 *
 * Memory: at most `maxBytes` bytes of UTF-8 text are held, which take up to twice that in memory (V8 stores a
 * string with any character past U+00FF as UTF-16); the line being assembled takes up to `maxBytes` more, and
 * as much again once it is past the cut (its kept prefix, as a string); measuring takes a buffer of up to
 * `maxBytes`; each line held costs about 200 bytes more. Worst case ≈ `5 × maxBytes + 200 × maxLines`:
 * ≈ 360 KiB for the defaults, whatever the stream. A test holds a tail to this bound.
 *
 * @since 0.1.0
 */
import type { Deadline } from "@lifeline/deadline"
import type { LineBuffer } from "@lifeline/queue"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/logTail.ts"

/**
 * A line of the tail: `text` without its line ending; `truncated` when `text` is a prefix of the line written
 * (cut at `maxBytes`); `terminated: false` for a last line that ended without its newline (added by `flush`).
 * The same shape as `LineBuffer.Line` from `@lifeline/queue`.
 *
 * @example
 * ```ts
 * import { LogTail } from "@lifeline/death-log"
 *
 * const tail = LogTail.unsafeMake({ maxBytes: 8 })
 * tail.write("0123456789\n")
 * const [line]: ReadonlyArray<LogTail.Line> = tail.snapshot().lines
 * console.log(line) // { text: "01234567", truncated: true, terminated: true }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Line = LineBuffer.Line

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import type { LogTail } from "@lifeline/death-log"
 *
 * // what a controller keeps of a runner: Kubernetes' FallbackToLogsOnError keeps 80 lines / 2 KiB
 * const options: LogTail.Options = { maxLines: 200, maxBytes: 64 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The most lines held: a whole number ≥ 1.
   * @default 200
   */
  readonly maxLines?: number | undefined
  /**
   * The most bytes of text held (UTF-8, line endings excluded): a whole number ≥ 1. Also the longest line kept
   * whole; a longer line is cut at a character boundary and flagged.
   * @default 65536
   */
  readonly maxBytes?: number | undefined
}

/**
 * What a tail holds now.
 *
 * - `lines`: the newest lines, oldest first.
 * - `droppedLines`: lines written before them that the tail no longer holds (evicted to respect the bounds).
 *   `lines.length + droppedLines` is the number of lines written.
 * - `truncatedBytes`: bytes cut off over-long lines since the tail was made (the part after the cut, up to the
 *   newline).
 *
 * @example
 * ```ts
 * import { LogTail } from "@lifeline/death-log"
 *
 * const tail = LogTail.unsafeMake({ maxLines: 2 })
 * tail.write("one\ntwo\nthree\n")
 * const snapshot: LogTail.Snapshot = tail.snapshot()
 * console.log(snapshot.lines.map((l) => l.text), snapshot.droppedLines) // ["two", "three"] 1
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly lines: ReadonlyArray<Line>
  readonly droppedLines: number
  readonly truncatedBytes: number
}

/**
 * A tail. `write` takes the next chunk of the stream (a string is taken as its UTF-8 bytes); `flush` says the
 * stream has ended, so a last line without its newline is kept too; `snapshot` returns the lines held.
 * Synchronous and never throws for any content. One writer per tail: chunks of two streams interleaved in one
 * tail would join their partial lines.
 *
 * @example
 * ```ts
 * import { LogTail } from "@lifeline/death-log"
 *
 * const tail: LogTail.LogTail = LogTail.unsafeMake()
 * tail.write(new TextEncoder().encode("step 1 ok\nstep 2 fa"))
 * tail.write("iled\nexiting")
 * tail.flush()
 * console.log(tail.snapshot().lines.map((l) => l.text)) // ["step 1 ok", "step 2 failed", "exiting"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LogTail {
  readonly maxLines: number
  readonly maxBytes: number
  /** Takes the next chunk of the stream. */
  write(chunk: Uint8Array | string): void
  /** The stream has ended: a last line without its newline is added, flagged `terminated: false`. */
  flush(): void
  /** The lines held now, and the counts of what was dropped and cut. */
  snapshot(): Snapshot
}

/**
 * Makes a tail; fails with `InvalidOptions` when `maxLines` or `maxBytes` is not a whole number ≥ 1.
 *
 * @example
 * ```ts
 * import { LogTail } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const tail = yield* LogTail.make({ maxLines: 200, maxBytes: 65536 })
 *   for (let i = 0; i < 10_000; i++) tail.write(`line ${i}\n`)
 *   const { lines, droppedLines } = tail.snapshot()
 *   yield* Effect.log(`kept ${lines.length}, dropped ${droppedLines}`) // kept 200, dropped 9800
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<LogTail, Deadline.InvalidOptions> = internal.make

/**
 * Makes a tail synchronously; throws `InvalidOptions` for bad options (see {@link make}).
 *
 * @example
 * ```ts
 * import { LogTail } from "@lifeline/death-log"
 *
 * const tail = LogTail.unsafeMake({ maxLines: 3 })
 * tail.write("a\nb\nc\nd\n")
 * console.log(tail.snapshot().lines.map((l) => l.text)) // ["b", "c", "d"]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake: (options?: Options) => LogTail = internal.unsafeMake
