import { Options } from "@lifeline/deadline"
import type { Deadline } from "@lifeline/deadline"
import { LineBuffer } from "@lifeline/queue"
import type * as Effect from "effect/Effect"
import type * as api from "../LogTail.ts"
import { Ring } from "./ring.ts"

export const defaultMaxLines = 200
export const defaultMaxBytes = 65536

/**
 * Bytes handed to a `LineBuffer` between two `take()`s. A `LineBuffer` that is full drops the NEWEST whole
 * lines, the opposite of what a tail wants; sized at `maxBytes + slice + 1`, it can never fill: the lines one
 * slice completes hold at most the slice plus the line carried over from before it (≤ `maxBytes + 1` bytes).
 */
const slice = 65536

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface Spec {
  readonly maxLines: number
  readonly maxBytes: number
}

const maxLinesCheck = Options.optional(
  Options.positiveInteger,
  defaultMaxLines
)
const maxBytesCheck = Options.optional(
  Options.positiveInteger,
  defaultMaxBytes
)

/** Validates tail options; `prefix` names them as the caller wrote them (`"tail."` inside `DeathLog.spawn`). */
export const decode = (options: api.Options | undefined, prefix = ""): Spec => {
  if (options === undefined) {
    return { maxLines: defaultMaxLines, maxBytes: defaultMaxBytes }
  }
  if (typeof options !== "object" || options === null) {
    throw Options.invalid(
      prefix === "" ? "options" : prefix.slice(0, -1),
      options,
      "must be an object"
    )
  }
  return {
    maxLines: Options.getOrThrow(
      maxLinesCheck(`${prefix}maxLines`, options.maxLines)
    ),
    maxBytes: Options.getOrThrow(
      maxBytesCheck(`${prefix}maxBytes`, options.maxBytes)
    )
  }
}

/**
 * One input stream of a tail: the bytes of one writer (a child's stdout, or its stderr) are assembled into lines
 * by a `LineBuffer` of their own, so a partial line on one stream is never joined to a line of another, and the
 * complete lines go to the tail's one ring in the order they complete.
 */
export class Input {
  private readonly buffer: LineBuffer.LineBuffer

  constructor(private readonly tail: Tail) {
    this.buffer = LineBuffer.unsafeMake({
      maxBytes: Math.min(Number.MAX_SAFE_INTEGER, tail.maxBytes + slice + 1),
      maxLineBytes: tail.maxBytes
    })
  }

  /** Takes the next chunk; the lines it completes are added to the tail, and to `added` when given. */
  write(chunk: Uint8Array | string, added?: Array<api.Line>): void {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk
    for (let from = 0; from < bytes.length; from += slice) {
      this.buffer.write(
        from === 0 && bytes.length <= slice ? bytes : bytes.subarray(from, from + slice)
      )
      this.tail.addAll(this.buffer.take(), added)
    }
  }

  /** The stream has ended: a trailing line without its newline is added too, flagged `terminated: false`. */
  flush(added?: Array<api.Line>): void {
    this.tail.addAll(this.buffer.flush(), added)
  }

  /** Whole lines the buffer dropped (none, as it is fed) and the bytes cut off over-long lines. */
  stats(): LineBuffer.Stats {
    return this.buffer.stats()
  }
}

/**
 * The tail: inputs feed a {@link Ring}. `transform` (the escaping of untrusted text, inside `DeathLog`) is applied
 * to each line before it is measured, so the bounds hold for the text as stored and emitted.
 */
export class Tail implements api.LogTail {
  readonly maxLines: number
  readonly maxBytes: number
  private readonly ring: Ring
  private readonly inputs: Array<Input> = []
  private readonly main: Input
  /** Bytes cut here, after the `LineBuffer`s: see {@link add}. */
  private cutBytes = 0
  /** Where lines are encoded to be measured; grows up to `maxBytes` as longer lines arrive. */
  private scratch: Uint8Array

  constructor(
    spec: Spec,
    private readonly transform?: (text: string) => string
  ) {
    this.maxLines = spec.maxLines
    this.maxBytes = spec.maxBytes
    this.ring = new Ring(spec.maxLines, spec.maxBytes)
    this.scratch = new Uint8Array(Math.min(spec.maxBytes, 4096))
    this.main = this.input()
  }

  /** A further input stream into the same ring. */
  input(): Input {
    const input = new Input(this)
    this.inputs.push(input)
    return input
  }

  write(chunk: Uint8Array | string): void {
    this.main.write(chunk)
  }

  flush(): void {
    this.main.flush()
  }

  /** Adds a line given as text (no newline is looked for in it): a message rather than a stream. */
  append(text: string, added?: Array<api.Line>): void {
    this.add({ text, truncated: false, terminated: true }, added)
  }

  snapshot(): api.Snapshot {
    let droppedLines = this.ring.evicted
    let truncatedBytes = this.cutBytes
    for (const input of this.inputs) {
      const stats = input.stats()
      droppedLines += stats.droppedLines
      truncatedBytes += stats.droppedBytes
    }
    return { lines: this.ring.toArray(), droppedLines, truncatedBytes }
  }

  addAll(
    lines: ReadonlyArray<api.Line>,
    added: Array<api.Line> | undefined
  ): void {
    for (let i = 0; i < lines.length; i++) this.add(lines[i]!, added)
  }

  /**
   * The `LineBuffer` cut the line's bytes at `maxBytes`, but its text can encode longer than the bytes it came
   * from: each invalid byte decodes to U+FFFD (3 bytes), and escaping turns a control byte into up to 6. So the
   * line is measured as it will be stored, by encoding it into a buffer of at most `maxBytes`: `encodeInto`
   * writes whole characters only, so what it could not write is where the line is cut, on a character boundary.
   */
  private add(line: api.Line, added: Array<api.Line> | undefined): void {
    const text = this.transform === undefined ? line.text : this.transform(line.text)
    let { read, written } = encoder.encodeInto(text, this.scratch)
    if (read < text.length && this.scratch.length < this.maxBytes) {
      this.scratch = new Uint8Array(Math.min(this.maxBytes, text.length * 3))
      ;({ read, written } = encoder.encodeInto(text, this.scratch))
    }
    let stored = line
    if (read < text.length) {
      this.cutBytes += encoder.encode(text.slice(read)).length
      // Decoded from the bytes kept rather than sliced: a slice would keep the whole line alive behind it.
      stored = {
        text: decoder.decode(this.scratch.subarray(0, written)),
        truncated: true,
        terminated: line.terminated
      }
    } else if (text !== line.text) {
      stored = { text, truncated: line.truncated, terminated: line.terminated }
    }
    this.ring.push(stored, written)
    added?.push(stored)
  }
}

export const unsafeMake = (options?: api.Options): api.LogTail => new Tail(decode(options))

export const make = (
  options?: api.Options
): Effect.Effect<api.LogTail, Deadline.InvalidOptions> => Options.attempt(() => unsafeMake(options))
