import type * as Effect from "effect/Effect"
import * as options from "./options.ts"

export interface Line {
  readonly text: string
  readonly truncated: boolean
  readonly terminated: boolean
}

export interface Options {
  readonly maxBytes: number
  readonly maxLineBytes?: number | undefined
}

export interface Stats {
  readonly lines: number
  readonly droppedLines: number
  readonly droppedBytes: number
  readonly truncatedLines: number
}

export interface LineBuffer {
  readonly maxBytes: number
  readonly maxLineBytes: number
  readonly bufferedBytes: number
  write(chunk: Uint8Array | string): void
  take(): ReadonlyArray<Line>
  flush(): ReadonlyArray<Line>
  stats(): Stats
}

const LF = 0x0a
const CR = 0x0d

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8")

/** The largest `cut ≤ limit` that does not split a UTF-8 sequence, looking at the byte at `cut`. */
const utf8Cut = (
  byteAt: (i: number) => number,
  length: number,
  limit: number
): number => {
  let cut = Math.min(limit, length)
  if (cut === length) return cut
  // A continuation byte (10xxxxxx) at the cut means a character straddles it; back up to its lead byte.
  // Sequences are at most 4 bytes, so never back up more than 3 (malformed input keeps the byte cut).
  for (
    let back = 0;
    back < 3 && cut > 0 && (byteAt(cut) & 0xc0) === 0x80;
    back++
  ) cut--
  if ((byteAt(cut) & 0xc0) === 0x80) return Math.min(limit, length)
  return cut
}

class LineBufferImpl implements LineBuffer {
  readonly maxBytes: number
  readonly maxLineBytes: number

  private queue: Array<Line> = []
  private queuedBytes = 0

  // The line being assembled: bytes seen since the last newline, at most maxLineBytes + 1 (a trailing CR
  // may wait for its LF beyond the limit, since it is not part of the text).
  private partial: Uint8Array
  private partialLength = 0
  // After a cut the rest of that line is discarded up to its newline; the kept prefix waits here.
  private discarding = false
  private truncatedText = ""
  private truncatedBytes = 0

  private linesN = 0
  private droppedLinesN = 0
  private droppedBytesN = 0
  private truncatedLinesN = 0

  constructor(opts: Options) {
    this.maxBytes = options.positiveInteger("maxBytes", opts.maxBytes)
    this.maxLineBytes = opts.maxLineBytes === undefined
      ? Math.min(this.maxBytes, 65536)
      : options.positiveInteger("maxLineBytes", opts.maxLineBytes)
    if (this.maxLineBytes > this.maxBytes) {
      throw options.invalid(
        "maxLineBytes",
        opts.maxLineBytes,
        `must be ≤ maxBytes (${this.maxBytes})`
      )
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
      if (this.discarding) {
        this.droppedBytesN += end - i
        if (nl < 0) return
        this.discarding = false
        this.complete(this.truncatedText, true, true, -1)
        this.truncatedText = ""
        i = nl + 1
        continue
      }
      const segment = end - i
      const total = this.partialLength + segment
      const lastByte = segment > 0
        ? bytes[end - 1]!
        : this.partialLength > 0
        ? this.partial[this.partialLength - 1]!
        : -1
      if (
        total <= this.maxLineBytes ||
        (total === this.maxLineBytes + 1 && lastByte === CR)
      ) {
        if (nl >= 0) {
          let len = segment
          if (this.partialLength === 0) {
            if (len > 0 && bytes[i + len - 1] === CR) len--
            this.complete(
              decoder.decode(bytes.subarray(i, i + len)),
              false,
              true,
              len
            )
          } else {
            this.append(bytes, i, end)
            len = this.partialLength
            if (len > 0 && this.partial[len - 1] === CR) len--
            this.complete(
              decoder.decode(this.partial.subarray(0, len)),
              false,
              true,
              len
            )
            this.partialLength = 0
          }
          i = nl + 1
        } else {
          this.append(bytes, i, end)
          i = n
        }
        continue
      }
      this.cut(bytes, i, end)
      // Continue at `end`: the loop discards nothing more on this line if the newline is right there.
      i = end
    }
  }

  private append(bytes: Uint8Array, from: number, to: number): void {
    const len = to - from
    if (len === 0) return
    const needed = this.partialLength + len
    if (needed > this.partial.length) {
      const next = new Uint8Array(
        Math.min(
          this.maxLineBytes + 1,
          Math.max(needed, this.partial.length * 2)
        )
      )
      next.set(this.partial.subarray(0, this.partialLength))
      this.partial = next
    }
    this.partial.set(bytes.subarray(from, to), this.partialLength)
    this.partialLength = needed
  }

  /** The line being assembled plus `bytes[from, to)` is over the limit: keep a prefix, discard the rest. */
  private cut(bytes: Uint8Array, from: number, to: number): void {
    const p = this.partialLength
    const partial = this.partial
    const byteAt = (k: number) => (k < p ? partial[k]! : bytes[from + k - p]!)
    const length = p + (to - from)
    const keep = utf8Cut(byteAt, length, this.maxLineBytes)
    let text: string
    if (keep <= p) text = decoder.decode(partial.subarray(0, keep))
    else if (p === 0) text = decoder.decode(bytes.subarray(from, from + keep))
    else {
      const joined = new Uint8Array(keep)
      joined.set(partial.subarray(0, p))
      joined.set(bytes.subarray(from, from + keep - p), p)
      text = decoder.decode(joined)
    }
    this.droppedBytesN += length - keep
    this.truncatedLinesN++
    this.partialLength = 0
    if (this.partial.length > 1024) this.partial = new Uint8Array(1024)
    this.discarding = true
    this.truncatedText = text
    this.truncatedBytes = keep
  }

  /** Queues a finished line, or drops it whole when the buffer is full. `bytes < 0`: use the kept cut length. */
  private complete(
    text: string,
    truncated: boolean,
    terminated: boolean,
    bytes: number
  ): void {
    const size = (bytes < 0 ? this.truncatedBytes : bytes) + 1
    if (this.queuedBytes + size > this.maxBytes) {
      this.droppedLinesN++
      this.droppedBytesN += size - 1
      return
    }
    this.queuedBytes += size
    this.linesN++
    this.queue.push({ text, truncated, terminated })
  }

  take(): ReadonlyArray<Line> {
    if (this.queue.length === 0) return []
    const out = this.queue
    this.queue = []
    this.queuedBytes = 0
    return out
  }

  flush(): ReadonlyArray<Line> {
    if (this.discarding) {
      this.discarding = false
      this.complete(this.truncatedText, true, false, -1)
      this.truncatedText = ""
    } else if (this.partialLength > 0) {
      const len = this.partialLength
      if (len > this.maxLineBytes) {
        // Only a held CR can take a line past the limit; unterminated, it is content and does not fit.
        const partial = this.partial
        const keep = utf8Cut((k) => partial[k]!, len, this.maxLineBytes)
        this.truncatedBytes = keep
        this.droppedBytesN += len - keep
        this.truncatedLinesN++
        this.complete(
          decoder.decode(partial.subarray(0, keep)),
          true,
          false,
          -1
        )
      } else {
        this.complete(
          decoder.decode(this.partial.subarray(0, len)),
          false,
          false,
          len
        )
      }
      this.partialLength = 0
    }
    return this.take()
  }

  stats(): Stats {
    return {
      lines: this.linesN,
      droppedLines: this.droppedLinesN,
      droppedBytes: this.droppedBytesN,
      truncatedLines: this.truncatedLinesN
    }
  }
}

export const unsafeMake = (opts: Options): LineBuffer => new LineBufferImpl(opts)

export const make = (
  opts: Options
): Effect.Effect<LineBuffer, options.InvalidOptions> => options.attempt(() => unsafeMake(opts))
