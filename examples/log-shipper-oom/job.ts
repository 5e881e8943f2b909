/**
 * The job whose output is shipped: it writes a deterministic stream of log lines at full speed (to a
 * loopback TCP port, or stdout), in random-sized chunks that split lines and UTF-8 characters anywhere.
 *
 * Line `seq` is always `lineAt(seq)`, so whoever receives a line can regenerate what was really produced
 * and tell an exact line, an honest truncated prefix and a fabricated line apart. Some lines are far longer
 * than any sane per-line cap, and the text mixes one-, two-, three- and four-byte UTF-8 characters.
 *
 * Run as a child process: `node --import tsx job.ts --mb 128 --seed 7 [--port <loopback port>]`.
 */
import * as Net from "node:net"
import { fileURLToPath } from "node:url"

// An alphabet with characters of every UTF-8 width; the payload of a line is a window of a fixed
// pseudo-random text over it, kept as UTF-8 bytes so the job can write at memory speed.
const alphabet = Array.from(
  "abcdefghijklmnopqrstuvwxyz0123456789 -_=:/éßøñ日本語ログ🙂🚀"
)
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const poolChars = 70_000
const { poolBytes, charOffsets } = (() => {
  let state = 0x9e3779b9
  const chars: Array<string> = []
  for (let i = 0; i < poolChars; i++) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    chars.push(alphabet[state % alphabet.length]!)
  }
  const offsets = new Int32Array(poolChars + 1)
  for (let i = 0; i < poolChars; i++) {
    offsets[i + 1] = offsets[i]! + encoder.encode(chars[i]!).byteLength
  }
  return { poolBytes: encoder.encode(chars.join("")), charOffsets: offsets }
})()

const mix = (seq: number): number => {
  let x = Math.imul(seq ^ 0x5bd1e995, 0x27d4eb2d) >>> 0
  x = Math.imul(x ^ (x >>> 13), 0x165667b1) >>> 0
  return (x ^ (x >>> 16)) >>> 0
}

/** Every `longEvery`-th line is `longChars` characters long: longer than a per-line cap of 8 KiB. */
export const longEvery = 200
export const longChars = 12_000

const payloadOf = (seq: number): Uint8Array => {
  const h = mix(seq)
  const length = seq % longEvery === longEvery - 1 ? longChars : 24 + (h % 200)
  const start = h % (poolChars - length)
  return poolBytes.subarray(charOffsets[start]!, charOffsets[start + length]!)
}

const prefixOf = (seq: number): string => `${seq} job-output `

/** The text of line `seq` (without its newline). */
export const lineAt = (seq: number): string => prefixOf(seq) + decoder.decode(payloadOf(seq))

/** The sequence number a line claims to be, or `undefined` if it does not start like one. */
export const claimedSeq = (text: string): number | undefined => {
  const match = /^(\d{1,9}) /.exec(text)
  return match === null ? undefined : Number(match[1])
}

/** How a received line relates to the produced stream. */
export type Verdict = "exact" | "truncated-prefix" | "fabricated"

/**
 * Judges one received line: an exact produced line, a prefix of one that says it was truncated, or
 * something the job never wrote.
 */
export const judge = (text: string, truncated: boolean): Verdict => {
  const seq = claimedSeq(text)
  if (seq === undefined) return "fabricated"
  const produced = lineAt(seq)
  if (text === produced) return "exact"
  if (truncated && text.length < produced.length && produced.startsWith(text)) {
    return "truncated-prefix"
  }
  return "fabricated"
}

/** Writes at least `totalBytes` of lines to `out` in chunks of 1 byte to 64 KiB chosen by `seed`. */
export const produce = async (
  out: NodeJS.WritableStream,
  totalBytes: number,
  seed: number
): Promise<{ lines: number; bytes: number }> => {
  const write = (chunk: Uint8Array): Promise<void> | undefined =>
    out.write(chunk) ? undefined : new Promise((resolve) => out.once("drain", resolve))
  let rng = seed >>> 0 || 1
  const next = () => {
    rng ^= rng << 13
    rng ^= rng >>> 17
    rng ^= rng << 5
    return rng >>> 0
  }
  let seq = 0
  let bytes = 0
  while (bytes < totalBytes) {
    // A fresh block each time: a write the stream could not take at once still refers to it.
    const block = Buffer.allocUnsafe(512 * 1024)
    let used = 0
    while (used < 256 * 1024) {
      used += block.write(prefixOf(seq), used, "latin1")
      const payload = payloadOf(seq++)
      block.set(payload, used)
      used += payload.byteLength
      block[used++] = 0x0a
    }
    let offset = 0
    while (offset < used) {
      const size = Math.min(1 + (next() % 65_536), used - offset)
      const pending = write(block.subarray(offset, offset + size))
      if (pending !== undefined) await pending
      offset += size
    }
    bytes += used
  }
  return { lines: seq, bytes }
}

/** Reads `--name value` as a number that `valid` accepts; a bad value ends the job before it connects. */
const option = (name: string, fallback: number, valid: (n: number) => boolean, what: string): number => {
  const at = process.argv.indexOf(`--${name}`)
  if (at === -1) return fallback
  const raw = process.argv[at + 1]
  const value = Number(raw)
  if (raw === undefined || raw.trim() === "" || !valid(value)) {
    process.stderr.write(`job: --${name} must be ${what}, got ${JSON.stringify(raw ?? null)}\n`)
    process.exit(2)
  }
  return value
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const megabytes = option("mb", 64, (n) => Number.isFinite(n) && n > 0, "a positive number of MiB")
  const seed = option("seed", 7, (n) => Number.isSafeInteger(n) && n >= 0, "a non-negative integer")
  const port = option("port", 0, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535, "a TCP port")
  // With `--port`, the output goes over loopback TCP, as a pod's output reaches a runner through an exec
  // stream; without it, to stdout.
  const out: NodeJS.WritableStream = port === 0 ? process.stdout : await new Promise<Net.Socket>((resolve) => {
    const socket = Net.connect({ host: "127.0.0.1", port }, () => resolve(socket))
  })
  // The reader is gone (its watchdog ended it): so is the point of writing.
  out.on("error", () => process.exit(0))
  const { bytes, lines } = await produce(out, megabytes * 1024 * 1024, seed)
  await new Promise<void>((resolve) => out === process.stdout ? resolve() : out.end(resolve))
  process.stderr.write(JSON.stringify({ event: "job-finished", lines, bytes }) + "\n")
}
