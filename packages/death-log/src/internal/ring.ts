import type * as LogTail from "../LogTail.ts"

/**
 * The newest lines of a stream within two bounds: at most `maxLines` lines and at most `maxBytes` bytes of
 * text. A circular array: adding a line evicts the oldest ones until it fits, so each line costs O(1) amortized
 * (it is stored once and evicted at most once). The array grows by doubling up to `maxLines`, so a tail made
 * with a large `maxLines` costs memory only for the lines it really holds.
 */
export class Ring {
  private lines: Array<LogTail.Line | undefined>
  private sizes: Array<number>
  /** Index of the oldest line. */
  private head = 0
  private count = 0
  private bytes = 0
  /** Lines evicted since the ring was made. */
  evicted = 0

  constructor(readonly maxLines: number, readonly maxBytes: number) {
    const capacity = Math.min(maxLines, 256)
    this.lines = new Array(capacity).fill(undefined)
    this.sizes = new Array(capacity).fill(0)
  }

  /** Adds the newest line, of `size` bytes (the caller guarantees `size ≤ maxBytes`). */
  push(line: LogTail.Line, size: number): void {
    while (
      this.count > 0 &&
      (this.count === this.maxLines || this.bytes + size > this.maxBytes)
    ) this.evictOldest()
    if (this.count === this.lines.length) this.grow()
    const capacity = this.lines.length
    const at = this.head + this.count
    const slot = at >= capacity ? at - capacity : at
    this.lines[slot] = line
    this.sizes[slot] = size
    this.count++
    this.bytes += size
  }

  /** The lines held, oldest first. */
  toArray(): Array<LogTail.Line> {
    const out = new Array<LogTail.Line>(this.count)
    const capacity = this.lines.length
    for (let i = 0; i < this.count; i++) {
      const at = this.head + i
      out[i] = this.lines[at >= capacity ? at - capacity : at]!
    }
    return out
  }

  private evictOldest(): void {
    this.bytes -= this.sizes[this.head]!
    this.lines[this.head] = undefined
    this.head = this.head + 1 === this.lines.length ? 0 : this.head + 1
    this.count--
    this.evicted++
  }

  private grow(): void {
    const lines = this.toArray()
    const capacity = Math.min(this.maxLines, this.lines.length * 2)
    const sizes = new Array<number>(capacity).fill(0)
    for (let i = 0; i < this.count; i++) {
      const at = this.head + i
      sizes[i] = this
        .sizes[at >= this.lines.length ? at - this.lines.length : at]!
    }
    this.lines = [
      ...lines,
      ...new Array(capacity - lines.length).fill(undefined)
    ]
    this.sizes = sizes
    this.head = 0
  }
}
