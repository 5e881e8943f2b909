/**
 * @lifeline/death-log: what the tail costs per line against the array a program would write by hand (push +
 * shift, bounded by lines only), the heap each retains after a million lines, and what `DeathLog.spawn` adds
 * (line splitting, escaping, the tail, one log call per line to a logger that discards) on top of reading a
 * child's 100 MB of output with `Command.lines`.
 */
import * as Command from "@effect/platform/Command"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { DeathLog, LogTail } from "@lifeline/death-log"
import { retainedHeapBytes } from "@lifeline/test-kit"
import { Effect, Layer, Logger } from "effect"
import { atLeast, atMost, type Comparison, scaled, type Suite } from "./harness.ts"

const encoder = new TextEncoder()
const maxLines = 200

// --- input: a stream of ~100-byte lines, as chunks of 64 KiB ------------------------------------------------

const lineCount = scaled(1_000_000, 1000)
const line = (i: number) =>
  `${String(i).padStart(8, "0")} vitals cpu=${i % 100}% rss=${i % 4096}MiB io=ok ` + "·".repeat(40)

/** `lineCount` lines as 64 KiB chunks; the same bytes every run. */
const chunks = (lines: (i: number) => string, count: number): ReadonlyArray<Uint8Array> => {
  const out: Array<Uint8Array> = []
  let text = ""
  for (let i = 0; i < count; i++) {
    text += lines(i) + "\n"
    if (text.length >= 32 * 1024) {
      out.push(encoder.encode(text))
      text = ""
    }
  }
  if (text.length > 0) out.push(encoder.encode(text))
  return out
}

/** The tail a program writes by hand: decode, split, carry the partial line, push, shift past `maxLines`. */
class ArrayTail {
  readonly lines: Array<string> = []
  private partial = ""
  private readonly decoder = new TextDecoder()
  write(chunk: Uint8Array): void {
    const parts = (this.partial + this.decoder.decode(chunk, { stream: true })).split("\n")
    this.partial = parts.pop()!
    for (const part of parts) {
      this.lines.push(part)
      if (this.lines.length > maxLines) this.lines.shift()
    }
  }
}

const plain = chunks(line, lineCount)
// the same million lines, the last thousand of them 16 KiB each (a stack-trace storm before a death)
const storm = chunks((i) => (i >= lineCount - 1000 ? line(i) + "x".repeat(16 * 1024) : line(i)), lineCount)

const linesPerSecond = (feed: (chunk: Uint8Array) => void, input: ReadonlyArray<Uint8Array>): number => {
  const t0 = performance.now()
  for (const chunk of input) feed(chunk)
  return lineCount / ((performance.now() - t0) / 1000)
}

/** Heap retained by a tail after the whole input (the tail kept alive across the reading). */
const retained = (make: () => { write(chunk: Uint8Array): void }, input: ReadonlyArray<Uint8Array>): number => {
  const before = retainedHeapBytes()
  const tail = make()
  for (const chunk of input) tail.write(chunk)
  const after = retainedHeapBytes()
  tail.write(new Uint8Array(0))
  return Math.max(0, after - before)
}

// --- a child writing 100 MB ---------------------------------------------------------------------------------

const childBytes = scaled(100 * 1024 * 1024, 1024 * 1024)
const childScript = `
const line = "vitals cpu=42% rss=1234MiB io=ok ".padEnd(99, "·") + "\\n"
const block = line.repeat(Math.floor(65536 / Buffer.byteLength(line)))
let left = ${childBytes}
const write = () => {
  while (left > 0) {
    left -= Buffer.byteLength(block)
    if (!process.stdout.write(block)) return process.stdout.once("drain", write)
  }
}
write()
`
const child = Command.make(process.execPath, "-e", childScript)
const executor = NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))
const discard = Logger.replace(Logger.defaultLogger, Logger.make(() => {}))

const elapsed = (effect: Effect.Effect<unknown, unknown, never>): Promise<number> =>
  Effect.runPromise(Effect.gen(function* () {
    const t0 = performance.now()
    yield* effect
    return performance.now() - t0
  }))

const viaLines = () =>
  elapsed(
    Command.lines(child).pipe(
      Effect.tap((lines) => lines.length > 0 ? Effect.void : Effect.dieMessage("no output")),
      Effect.provide(executor)
    )
  )

const viaSpawn = () =>
  elapsed(
    DeathLog.spawn(child, { name: "bench" }).pipe(
      Effect.tap((result) => result.exitCode === 0 ? Effect.void : Effect.dieMessage(`exit ${result.exitCode}`)),
      Effect.provide(Layer.merge(executor, discard))
    )
  )

const heap = (name: string, input: ReadonlyArray<Uint8Array>, target: Comparison["target"]): Comparison => ({
  name,
  unit: "bytes",
  higherIsBetter: false,
  runs: 3,
  baseline: { label: "array push + shift", run: () => retained(() => new ArrayTail(), input) },
  subject: { label: "LogTail (200 lines / 64 KiB)", run: () => retained(() => LogTail.unsafeMake(), input) },
  ...(target === undefined ? {} : { target })
})

const suite: Suite = {
  name: "death-log",
  comparisons: () => [
    {
      name: `append ${lineCount} lines of ~100 B (200-line tail)`,
      unit: "lines/s",
      higherIsBetter: true,
      baseline: {
        label: "array push + shift",
        run: () => {
          const tail = new ArrayTail()
          return linesPerSecond((c) => tail.write(c), plain)
        }
      },
      subject: {
        label: "LogTail.write",
        run: () => {
          const tail = LogTail.unsafeMake({ maxLines })
          return linesPerSecond((c) => tail.write(c), plain)
        }
      },
      // most of a line's cost is LineBuffer's (a decode per line, so a line is never fabricated)
      target: atLeast(0.25)
    },
    heap(`heap retained after ${lineCount} lines of ~100 B`, plain, { text: "≤ 2×", met: (ratio) => ratio <= 2 }),
    heap(`heap retained after ${lineCount} lines, the last 1000 of 16 KiB`, storm, {
      text: "≤ 0.2×",
      met: (ratio) => ratio <= 0.2
    }),
    {
      name: `read a child's ${Math.round(childBytes / 1024 / 1024)} MB of output`,
      unit: "ms",
      higherIsBetter: false,
      runs: 3,
      baseline: { label: "Command.lines", run: viaLines },
      subject: { label: "DeathLog.spawn (live log + tail)", run: viaSpawn },
      // most of the difference is Effect's own cost of one log call per line (≈ 2.5 µs with a discarding logger)
      target: atMost(3.5)
    }
  ]
}

export default suite
