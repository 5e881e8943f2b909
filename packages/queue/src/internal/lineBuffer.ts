import { Options } from "@lifeline/deadline"
import type { Deadline } from "@lifeline/deadline"
import type * as Effect from "effect/Effect"
import type * as api from "../LineBuffer.ts"

const LF = 0x0a
const CR = 0x0d
const defaultMaxLineBytes = 65536

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8")
const empty = new Uint8Array(0)

/** The largest `cut ≤ limit` that does not split a UTF-8 sequence, looking at the byte at `cut`. */
const utf8Cut = (byteAt: (i: number) => number, length: number, limit: number): number => {
  let cut = Math.min(limit, length)
  if (cut === length) return cut
  // A continuation byte (10xxxxxx) at the cut means a character straddles it; back up to its lead byte.
  // Sequences are at most 4 bytes, so never back up more than 3 (malformed input keeps the byte cut).
  for (let back = 0; back < 3 && cut > 0 && (byteAt(cut) & 0xc0) === 0x80; back++) cut--
  if ((byteAt(cut) & 0xc0) === 0x80) return Math.min(limit, length)
  return cut
}

/**
 * Bytes a buffered line counts toward `maxBytes`: its content, and at least 1 so that a flood of empty lines
 * is bounded too. A line of `maxLineBytes` (≤ `maxBytes`) therefore always fits in an empty buffer.
 */
const footprint = (bytes: number): number => (bytes > 0 ? bytes : 1)

/**
 * Accounting, in one sentence: every byte of line content written (line endings excluded: the `\n`, and a `\r`
 * directly before it) ends up either in the `text` of a returned line or in `droppedBytes`.
 */
class LineBufferImpl implements api.LineBuffer {
  readonly maxBytes: number
  readonly maxLineBytes: number

  private queue: Array<api.Line> = []
  private queuedBytes = 0

  // The line being assembled: content seen since the last newline, at most maxLineBytes + 1 bytes (a trailing
  // CR may wait past the limit for its LF, since a CR before LF is not content).
  private partial: Uint8Array
  private partialLength = 0

  // After a cut, the rest of that line is discarded up to its newline; the kept prefix waits here.
  private discarding = false
  private truncatedText = ""
  private truncatedBytes = 0
  // A discarded CR at the end of a chunk: content, unless the next byte is the LF it belongs to.
  private discardedCR = false

  private linesN = 0
  private droppedLinesN = 0
  private droppedBytesN = 0
  private truncatedLinesN = 0

  constructor(options: api.Options) {
    this.maxBytes = Options.getOrThrow(Options.positiveInteger("maxBytes", options.maxBytes))
    this.maxLineBytes = options.maxLineBytes === undefined
      ? Math.min(this.maxBytes, defaultMaxLineBytes)
      : Options.getOrThrow(Options.positiveInteger("maxLineBytes", options.maxLineBytes))
    if (this.maxLineBytes > this.maxBytes) {
      throw Options.invalid("maxLineBytes", options.maxLineBytes, `must be ≤ maxBytes (${this.maxBytes})`)
    }
    this.partial = new Uint8Array(Math.min(this.maxLineBytes + 1, 1024))
  }

  get bufferedBytes(): number {
    return this.queuedBytes + this.partialLength
  }

  write(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk
    const n = bytes.length
    let i = 0
    while (i < n) {
      const nl = bytes.indexOf(LF, i)
      const end = nl < 0 ? n : nl
      if (this.discarding) this.discard(bytes, i, end, nl >= 0)
      else if (nl >= 0) this.endLine(bytes, i, end)
      else this.extend(bytes, i, end)
      i = nl < 0 ? n : nl + 1
    }
  }

  /** `bytes[from, to)` belongs to a line already cut: count it as dropped; at its newline, queue the prefix. */
  private discard(bytes: Uint8Array, from: number, to: number, newline: boolean): void {
    if (to > from) {
      if (this.discardedCR) this.droppedBytesN++
      const endsWithCR = bytes[to - 1] === CR
      this.droppedBytesN += to - from - (endsWithCR ? 1 : 0)
      this.discardedCR = endsWithCR
    }
    if (!newline) return
    // A CR still held here sat directly before this LF: a line ending, not content.
    this.discardedCR = false
    this.discarding = false
    this.complete(this.truncatedText, true, true, this.truncatedBytes)
    this.truncatedText = ""
  }

  /** The line being assembled ends with `bytes[from, to)` and a newline. */
  private endLine(bytes: Uint8Array, from: number, to: number): void {
    const p = this.partialLength
    const total = p + (to - from)
    const last = to > from ? bytes[to - 1]! : p > 0 ? this.partial[p - 1]! : -1
    const content = last === CR ? total - 1 : total
    if (content > this.maxLineBytes) {
      this.complete(this.cut(bytes, from, content), true, true, this.truncatedBytes)
    } else if (p === 0) {
      this.complete(decoder.decode(bytes.subarray(from, from + content)), false, true, content)
    } else {
      this.append(bytes, from, to)
      this.complete(decoder.decode(this.partial.subarray(0, content)), false, true, content)
    }
    this.resetPartial()
  }

  /** `bytes[from, to)` continues the line being assembled, with no newline yet. */
  private extend(bytes: Uint8Array, from: number, to: number): void {
    if (to === from) return
    const total = this.partialLength + (to - from)
    // One byte past the limit may be a CR waiting for its LF, which would not count as content.
    if (total <= this.maxLineBytes || (total === this.maxLineBytes + 1 && bytes[to - 1] === CR)) {
      this.append(bytes, from, to)
      return
    }
    const endsWithCR = bytes[to - 1] === CR
    this.truncatedText = this.cut(bytes, from, endsWithCR ? total - 1 : total)
    this.discardedCR = endsWithCR
    this.discarding = true
    this.resetPartial()
  }

  private append(bytes: Uint8Array, from: number, to: number): void {
    const len = to - from
    if (len === 0) return
    const needed = this.partialLength + len
    if (needed > this.partial.length) {
      const next = new Uint8Array(Math.min(this.maxLineBytes + 1, Math.max(needed, this.partial.length * 2)))
      next.set(this.partial.subarray(0, this.partialLength))
      this.partial = next
    }
    this.partial.set(bytes.subarray(from, to), this.partialLength)
    this.partialLength = needed
  }

  /**
   * The line being assembled, followed by the bytes from `bytes[from]` on, has `content` bytes of content — more
   * than `maxLineBytes`. Keeps the longest prefix that ends on a character boundary, counts the rest as dropped
   * and returns the prefix's text (its length goes to `truncatedBytes`).
   */
  private cut(bytes: Uint8Array, from: number, content: number): string {
    const p = this.partialLength
    const partial = this.partial
    const byteAt = (k: number) => (k < p ? partial[k]! : bytes[from + k - p]!)
    const keep = utf8Cut(byteAt, content, this.maxLineBytes)
    let text: string
    if (keep <= p) text = decoder.decode(partial.subarray(0, keep))
    else if (p === 0) text = decoder.decode(bytes.subarray(from, from + keep))
    else {
      const joined = new Uint8Array(keep)
      joined.set(partial.subarray(0, p))
      joined.set(bytes.subarray(from, from + keep - p), p)
      text = decoder.decode(joined)
    }
    this.droppedBytesN += content - keep
    this.truncatedLinesN++
    this.truncatedBytes = keep
    return text
  }

  private resetPartial(): void {
    this.partialLength = 0
    // An over-long line grew the buffer; do not keep that memory for the short lines that follow.
    if (this.partial.length > 1024) this.partial = new Uint8Array(1024)
  }

  /** Queues a finished line of `bytes` bytes of content, or drops it whole when it does not fit. */
  private complete(text: string, truncated: boolean, terminated: boolean, bytes: number): void {
    const size = footprint(bytes)
    if (this.queuedBytes + size > this.maxBytes) {
      this.droppedLinesN++
      this.droppedBytesN += bytes
      return
    }
    this.queuedBytes += size
    this.linesN++
    this.queue.push({ text, truncated, terminated })
  }

  take(): ReadonlyArray<api.Line> {
    if (this.queue.length === 0) return []
    const out = this.queue
    this.queue = []
    this.queuedBytes = 0
    return out
  }

  flush(): ReadonlyArray<api.Line> {
    if (this.discarding) {
      // The stream ended without the newline: a held CR was content after all.
      if (this.discardedCR) this.droppedBytesN++
      this.discardedCR = false
      this.discarding = false
      this.complete(this.truncatedText, true, false, this.truncatedBytes)
      this.truncatedText = ""
    } else if (this.partialLength > 0) {
      const len = this.partialLength
      // Unterminated, a held CR is content; only it can take the line one byte past the limit.
      if (len > this.maxLineBytes) this.complete(this.cut(empty, 0, len), true, false, this.truncatedBytes)
      else this.complete(decoder.decode(this.partial.subarray(0, len)), false, false, len)
      this.resetPartial()
    }
    return this.take()
  }

  stats(): api.Stats {
    return {
      lines: this.linesN,
      droppedLines: this.droppedLinesN,
      droppedBytes: this.droppedBytesN,
      truncatedLines: this.truncatedLinesN
    }
  }
}

export const unsafeMake = (options: api.Options): api.LineBuffer => new LineBufferImpl(options)

export const make = (options: api.Options): Effect.Effect<api.LineBuffer, Deadline.InvalidOptions> =>
  Options.attempt(() => unsafeMake(options))
