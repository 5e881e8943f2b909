import { assert, describe, expect, it } from "@effect/vitest"
import { LogTail } from "@lifeline/death-log"
import { InvalidOptions } from "@lifeline/deadline"
import { retainedHeapBytes, thrownBy } from "@lifeline/test-kit"
import { Effect, Exit, FastCheck as fc } from "effect"

const encoder = new TextEncoder()
const utf8 = (s: string) => encoder.encode(s).length
const texts = (tail: LogTail.LogTail) => tail.snapshot().lines.map((l) => l.text)

describe("LogTail", () => {
  it("keeps the last maxLines lines and counts the lines before them", () => {
    const tail = LogTail.unsafeMake()
    for (let i = 0; i < 10_000; i++) tail.write(`line ${i}\n`)
    const { droppedLines, lines, truncatedBytes } = tail.snapshot()
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 200 }, (_, i) => `line ${9800 + i}`))
    expect(droppedLines).toBe(9800)
    expect(truncatedBytes).toBe(0)
  })

  it("keeps whole lines within maxBytes, evicting the oldest", () => {
    const tail = LogTail.unsafeMake({ maxLines: 100, maxBytes: 10 })
    tail.write("aaaa\nbbbb\ncccc\n")
    expect(texts(tail)).toEqual(["bbbb", "cccc"])
    expect(tail.snapshot().droppedLines).toBe(1)
  })

  it("cuts a line longer than maxBytes at a UTF-8 boundary and flags it; its rest never joins the next line", () => {
    const tail = LogTail.unsafeMake({ maxBytes: 10 })
    tail.write("€€€€ and more\nnext\n") // € is 3 bytes: 3 of them fit in 10
    expect(tail.snapshot().lines).toEqual([{ text: "next", truncated: false, terminated: true }])
    const single = LogTail.unsafeMake({ maxBytes: 10 })
    single.write("€€€€ and more\n")
    expect(single.snapshot()).toEqual({
      lines: [{ text: "€€€", truncated: true, terminated: true }],
      droppedLines: 0,
      truncatedBytes: utf8("€ and more")
    })
  })

  it("assembles lines split across chunks, even inside a character", () => {
    const tail = LogTail.unsafeMake()
    const bytes = encoder.encode("héllo wörld\n😀 done\n")
    for (let i = 0; i < bytes.length; i++) tail.write(bytes.subarray(i, i + 1))
    expect(texts(tail)).toEqual(["héllo wörld", "😀 done"])
  })

  it("keeps a last line without its newline once the stream is flushed, flagged unterminated", () => {
    const tail = LogTail.unsafeMake()
    tail.write("first\r\nkilled mid-li")
    expect(texts(tail)).toEqual(["first"])
    tail.flush()
    expect(tail.snapshot().lines.at(-1)).toEqual({ text: "killed mid-li", truncated: false, terminated: false })
  })

  it("measures invalid UTF-8 as decoded, so the bound holds for the text kept", () => {
    const tail = LogTail.unsafeMake({ maxBytes: 30 })
    tail.write(new Uint8Array([...new Array(20).fill(0xff), 0x0a])) // 20 bytes in, 20 × U+FFFD = 60 bytes out
    const [line] = tail.snapshot().lines
    assert(line !== undefined)
    expect(line.text).toBe("\uFFFD".repeat(10))
    expect(line.truncated).toBe(true)
    expect(utf8(line.text)).toBeLessThanOrEqual(30)
  })

  it("stays within maxBytes for a 10 MB line without a newline, written in one chunk", () => {
    const tail = LogTail.unsafeMake()
    tail.write("x".repeat(10_000_000))
    tail.flush()
    const { lines, truncatedBytes } = tail.snapshot()
    expect(lines).toEqual([{ text: "x".repeat(65536), truncated: true, terminated: false }])
    expect(truncatedBytes).toBe(10_000_000 - 65536)
  })

  it("keeps the newest lines when one chunk holds far more than the tail", () => {
    const tail = LogTail.unsafeMake({ maxLines: 5, maxBytes: 1000 })
    tail.write(Array.from({ length: 100_000 }, (_, i) => `${i}\n`).join(""))
    expect(texts(tail)).toEqual(["99995", "99996", "99997", "99998", "99999"])
    expect(tail.snapshot().droppedLines).toBe(99_995)
  })

  it("holds up to maxLines lines however many that is, oldest first", () => {
    const tail = LogTail.unsafeMake({ maxLines: 1000, maxBytes: 1 << 20 })
    for (let i = 0; i < 5000; i++) tail.write(`${i}\n`)
    expect(texts(tail)).toEqual(Array.from({ length: 1000 }, (_, i) => `${4000 + i}`))
  })

  it("costs nothing up front for bounds no stream reaches", () => {
    const tail = LogTail.unsafeMake({ maxLines: 1e9, maxBytes: Number.MAX_SAFE_INTEGER })
    tail.write("a\nb\n")
    expect(texts(tail)).toEqual(["a", "b"])
  })

  it("retains at most the documented bytes, 5 × maxBytes + 200 × maxLines, whatever the stream", () => {
    const maxLines = 200
    const maxBytes = 65536
    const bound = 5 * maxBytes + 200 * maxLines
    // two-byte strings (a "€" in each line): the most memory per UTF-8 byte counted; short lines to fill the
    // line count; and a long line past its cut, still being assembled
    const worst = (tail: LogTail.LogTail) => {
      for (let i = 0; i < 300; i++) tail.write("€" + "a".repeat(20_000 + i) + "\n")
      for (let i = 0; i < 150; i++) tail.write(`€ ${i}\n`)
      tail.write("€" + "b".repeat(2 * maxBytes))
    }
    worst(LogTail.unsafeMake({ maxLines, maxBytes })) // compiles what runs, so the code is not counted below
    const before = retainedHeapBytes()
    const tail = LogTail.unsafeMake({ maxLines, maxBytes })
    worst(tail)
    const retained = retainedHeapBytes() - before
    console.log(`tail retains ${retained} bytes (bound ${bound})`)
    expect(retained).toBeLessThanOrEqual(bound)
    expect(tail.snapshot().lines.length).toBe(153)
  })

  it.effect("make fails with InvalidOptions naming the option and the value; unsafeMake throws it", () =>
    Effect.gen(function* () {
      for (
        const [option, value] of [["maxLines", 0], ["maxLines", 1.5], ["maxBytes", -1], ["maxBytes", NaN]] as const
      ) {
        const exit = yield* Effect.exit(LogTail.make({ [option]: value }))
        assert(Exit.isFailure(exit))
        const error = thrownBy(() => LogTail.unsafeMake({ [option]: value }), InvalidOptions.InvalidOptions)
        expect(error.option).toBe(option)
        expect(error.message).toContain(`(got ${value})`)
      }
      expect(thrownBy(() => LogTail.unsafeMake({ maxBytes: Infinity }), InvalidOptions.InvalidOptions).option).toBe(
        "maxBytes"
      )
    }))

  describe("property: whatever the stream and the bounds", () => {
    // Characters of 1 to 4 UTF-8 bytes, a control character, and a CR that is content (never before the newline).
    const unit = fc.constantFrom("a", "z", "0", " ", "é", "€", "中", "😀", "\u0000", "\u001b")
    const lineText = fc.array(fc.oneof({ weight: 15, arbitrary: unit }, { weight: 1, arbitrary: fc.constant("\r") }), {
      maxLength: 60
    }).map((units) => units.join("").replace(/\r$/, "r"))
    const scenario = fc.record({
      lines: fc.array(lineText, { maxLength: 60 }),
      terminated: fc.boolean(),
      cuts: fc.array(fc.nat(), { maxLength: 20 }),
      maxLines: fc.integer({ min: 1, max: 20 }),
      maxBytes: fc.integer({ min: 1, max: 120 })
    })

    /** The longest prefix of whole characters of `text` within `max` UTF-8 bytes. */
    const prefixWithin = (text: string, max: number) => {
      let out = ""
      for (const ch of text) {
        if (utf8(out + ch) > max) break
        out += ch
      }
      return out
    }

    it.prop("bounds hold; each line is an input line or a flagged prefix of one; order kept; counts add up", [
      scenario
    ], ([{ cuts, lines, maxBytes, maxLines, terminated }]) => {
      const stream = encoder.encode(lines.join("\n") + (terminated && lines.length > 0 ? "\n" : ""))
      const tail = LogTail.unsafeMake({ maxLines, maxBytes })
      const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
      let from = 0
      for (const to of [...at, stream.length]) {
        tail.write(stream.subarray(from, to))
        from = to
      }
      tail.flush()
      // A stream that ends right after a newline has no further (empty, unterminated) line.
      const unterminatedLast = !terminated && lines.length > 0 && lines.at(-1) !== ""
      const written = terminated || unterminatedLast ? lines : lines.slice(0, -1)
      const snapshot = tail.snapshot()
      const kept = snapshot.lines
      // bounds
      expect(kept.length).toBeLessThanOrEqual(maxLines)
      expect(kept.reduce((n, l) => n + utf8(l.text), 0)).toBeLessThanOrEqual(maxBytes)
      // the lines kept are the last ones written, in order, each whole or a flagged prefix
      const n = written.length
      expect(kept.length + snapshot.droppedLines).toBe(n)
      kept.forEach((line, i) => {
        const input = written[n - kept.length + i]!
        if (line.truncated) {
          expect(input.startsWith(line.text)).toBe(true)
          expect(line.text).toBe(prefixWithin(input, maxBytes))
        } else expect(line.text).toBe(input)
        expect(line.terminated).toBe(!(unterminatedLast && i === kept.length - 1))
      })
      // every byte cut off a line is counted
      const cut = written.reduce((sum, input) => sum + utf8(input) - utf8(prefixWithin(input, maxBytes)), 0)
      expect(snapshot.truncatedBytes).toBe(cut)
    }, { fastCheck: { numRuns: 500 } })
  })
})
