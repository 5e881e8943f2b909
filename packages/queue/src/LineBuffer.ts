/**
 * A bounded, line-safe buffer for a byte stream (a child's stdout, a socket): chunks go in, whole lines
 * come out, and it never fabricates a line.
 *
 * Answers the `log-shipper-oom` replay: a runner capped its log buffer by cutting bytes at the cap, which left
 * half a line that the next write completed — shipping a line the program never printed. Here every line
 * returned is an input line, or a prefix of exactly one input line flagged `truncated`:
 *
 * - a partial line waits for its newline (across any number of chunks, split anywhere — even inside a
 *   multi-byte character);
 * - when the buffer is full, whole lines are dropped and counted (`droppedLines`, `droppedBytes`);
 * - a line longer than `maxLineBytes` is cut at a UTF-8 character boundary and flagged `truncated`; the rest
 *   of it, up to its newline, is discarded and counted, never joined to the next line;
 * - a line cut to `maxLineBytes` always fits in an empty buffer: an over-long line is kept as a flagged
 *   prefix, never dropped whole;
 * - `flush()` returns a trailing line that never got its newline, flagged `terminated: false`.
 *
 * Line endings: `\n` ends a line. A `\r` directly before the `\n` is part of the line ending (CRLF) and is
 * removed from `text`; it does not count toward `maxLineBytes`. Any other `\r` is content and is kept.
 *
 * Memory: a buffered line counts its UTF-8 bytes (at least 1, so empty lines are bounded too) toward
 * `maxBytes`, so at most `maxBytes` bytes of text and at most `maxBytes` lines are buffered, plus one line
 * being assembled (`maxLineBytes + 1` bytes). Worst-case retained bytes ≈ `2 × maxBytes + maxLineBytes + 1 +
 * 48 × N`, where `N` is the number of buffered lines (`N ≤ maxBytes / max(b, 1)` for lines of at least `b`
 * bytes) and 48 is the size of one `Line` record; the factor 2 covers strings stored as UTF-16.
 *
 * @since 0.1.0
 */
import type { Deadline } from "@lifeline/deadline"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/lineBuffer.ts"

/**
 * A line read from the stream. `text` is without its line ending. `truncated`: `text` is a prefix of the
 * input line, cut at `maxLineBytes`. `terminated`: the line's newline was seen (only a line returned by
 * `flush()` can lack it).
 *
 * @example
 * ```ts
 * import { LineBuffer } from "@lifeline/queue"
 *
 * const buffer = LineBuffer.unsafeMake({ maxBytes: 1024 })
 * buffer.write("hello\nwor")
 * const lines: ReadonlyArray<LineBuffer.Line> = buffer.take()
 * console.log(lines) // [{ text: "hello", truncated: false, terminated: true }]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Line {
  readonly text: string
  readonly truncated: boolean
  readonly terminated: boolean
}

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import { LineBuffer } from "@lifeline/queue"
 *
 * // 4 MiB of lines per stream; a line longer than 16 KiB keeps its first 16 KiB, flagged.
 * const options: LineBuffer.Options = { maxBytes: 4 * 1024 * 1024, maxLineBytes: 16 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The most bytes of complete lines held between two `take()`s: a whole number ≥ 1. Each line counts its
   * UTF-8 bytes, and at least 1. Lines that do not fit are dropped whole; a line of up to `maxLineBytes`
   * always fits in an empty buffer.
   */
  readonly maxBytes: number
  /**
   * The longest line kept whole, in UTF-8 bytes (line ending excluded): a whole number ≥ 1 and ≤ `maxBytes`.
   * Longer lines are cut at a character boundary and flagged `truncated`.
   * @default the smaller of `maxBytes` and 65536
   */
  readonly maxLineBytes?: number | undefined
}

/**
 * Counters of a buffer since it was made.
 *
 * - `lines`: lines accepted (returned by `take`/`flush`, or waiting to be).
 * - `droppedLines`: whole lines dropped because the buffer was full.
 * - `droppedBytes`: bytes of line content discarded: dropped lines and the cut-off tails of truncated lines.
 * - `truncatedLines`: lines cut at `maxLineBytes`.
 *
 * After `flush()`, `lines + droppedLines` is the number of lines written, and the bytes of the returned
 * `text`s plus `droppedBytes` are the bytes written, line endings (`\n`, `\r\n`) excluded.
 *
 * @example
 * ```ts
 * import { LineBuffer } from "@lifeline/queue"
 *
 * const buffer = LineBuffer.unsafeMake({ maxBytes: 8 })
 * buffer.write("1234567\nnext\n")
 * console.log(buffer.stats()) // { lines: 1, droppedLines: 1, droppedBytes: 4, truncatedLines: 0 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly lines: number
  readonly droppedLines: number
  readonly droppedBytes: number
  readonly truncatedLines: number
}

/**
 * A synchronous line buffer. `write` takes chunks of a byte stream (a string is taken as its UTF-8 bytes);
 * `take` returns the complete lines buffered so far; `flush` also returns a trailing unterminated line;
 * `stats` returns the counters. Not safe to share between concurrent writers that interleave chunks of
 * different streams: use one buffer per stream.
 *
 * @example
 * ```ts
 * import { LineBuffer } from "@lifeline/queue"
 *
 * const buffer: LineBuffer.LineBuffer = LineBuffer.unsafeMake({ maxBytes: 1 << 20, maxLineBytes: 8192 })
 * buffer.write(new TextEncoder().encode("a\r\nb"))
 * console.log(buffer.take().map((l) => l.text)) // ["a"]
 * console.log(buffer.flush()) // [{ text: "b", truncated: false, terminated: false }]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LineBuffer {
  readonly maxBytes: number
  readonly maxLineBytes: number
  /** Bytes held now: buffered complete lines (as counted toward `maxBytes`) plus the line being assembled. */
  readonly bufferedBytes: number
  /** Takes the next chunk of the stream; never throws for any content. */
  write(chunk: Uint8Array | string): void
  /** Returns the complete lines buffered since the last `take`, and frees their room. */
  take(): ReadonlyArray<Line>
  /** Like `take`, plus the trailing line that has no newline yet (flagged `terminated: false`). */
  flush(): ReadonlyArray<Line>
  stats(): Stats
}

/**
 * Makes a buffer; fails with `InvalidOptions` when `maxBytes` or `maxLineBytes` is not a whole number ≥ 1, or
 * `maxLineBytes > maxBytes`.
 *
 * @example
 * ```ts
 * import { LineBuffer } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const buffer = yield* LineBuffer.make({ maxBytes: 4 * 1024 * 1024, maxLineBytes: 16 * 1024 })
 *   buffer.write("job started\n")
 *   for (const line of buffer.take()) yield* Effect.log(line.text)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<LineBuffer, Deadline.InvalidOptions> = internal.make

/**
 * Makes a buffer synchronously; throws `InvalidOptions` for bad options (see {@link make}).
 *
 * @example
 * ```ts
 * import { LineBuffer } from "@lifeline/queue"
 *
 * const buffer = LineBuffer.unsafeMake({ maxBytes: 100 })
 * buffer.write("x".repeat(150) + "\n")
 * console.log(buffer.take()) // [{ text: "xxx…" (100 bytes), truncated: true, terminated: true }]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake: (options: Options) => LineBuffer = internal.unsafeMake
