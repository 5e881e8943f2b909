import { assert, describe, expect, it } from "@effect/vitest"
import { Deadline } from "@lifeline/deadline"
import { LineBuffer } from "@lifeline/queue"
import { Effect, Exit, FastCheck as fc } from "effect"

const utf8 = (s: string) => new TextEncoder().encode(s).length

/** An input line: its text, how it is terminated in the stream. */
interface InputLine {
  readonly text: string
  readonly ending: "\n" | "\r\n" | ""
}

// Characters of 1 to 4 UTF-8 bytes, and a CR that is content (never directly before the newline).
const unit = fc.constantFrom(
  "a",
  "b",
  "z",
  "0",
  " ",
  "é",
  "ß",
  "€",
  "中",
  "😀",
  "\u0000"
)
const lineText = fc.array(
  fc.oneof({ weight: 12, arbitrary: unit }, {
    weight: 1,
    arbitrary: fc.constant("\r")
  }),
  {
    maxLength: 40
  }
).map((units) => {
  const text = units.join("")
  return text.endsWith("\r") ? text + "a" : text
})
const inputLines = fc.tuple(
  fc.array(
    fc.record({
      text: lineText,
      ending: fc.constantFrom<"\n" | "\r\n">("\n", "\r\n")
    }),
    { maxLength: 30 }
  ),
  fc.option(lineText.filter((t) => t.length > 0), { nil: undefined })
).map(([lines, trailing]): Array<InputLine> =>
  trailing === undefined ? lines : [...lines, { text: trailing, ending: "" }]
)

/** Splits `bytes` at the given cut points (any byte offset, including inside a multi-byte character). */
const chunk = (
  bytes: Uint8Array,
  cuts: ReadonlyArray<number>
): Array<Uint8Array> => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((
    a,
    b
  ) => a - b)
  const out: Array<Uint8Array> = []
  let from = 0
  for (const p of points) {
    out.push(bytes.subarray(from, p))
    from = p
  }
  out.push(bytes.subarray(from))
  return out
}

/** The largest prefix of `text` of at most `limit` UTF-8 bytes that does not split a character. */
const boundaryPrefix = (text: string, limit: number): string => {
  let out = ""
  for (const ch of text) {
    if (utf8(out + ch) > limit) break
    out += ch
  }
  return out
}

/**
 * Checks that every line returned is an input line, or the longest boundary-safe prefix of exactly one input
 * line flagged as truncated, in input order, each input line used at most once.
 */
const assertNoFabrication = (
  input: ReadonlyArray<InputLine>,
  output: ReadonlyArray<LineBuffer.Line>,
  maxLineBytes: number
) => {
  let j = 0
  for (const line of output) {
    let matched = false
    while (j < input.length && !matched) {
      const candidate = input[j++]!
      const terminated = candidate.ending !== ""
      if (line.terminated !== terminated) continue
      if (!line.truncated && line.text === candidate.text) matched = true
      else if (
        line.truncated && utf8(candidate.text) > maxLineBytes &&
        line.text === boundaryPrefix(candidate.text, maxLineBytes)
      ) matched = true
    }
    assert.isTrue(matched, `fabricated line ${JSON.stringify(line)}`)
    assert.isAtMost(utf8(line.text), maxLineBytes)
  }
}

describe("LineBuffer", () => {
  it.prop(
    "never fabricates a line, keeps order and bounds, and its stats add up, whatever the chunking and limits",
    {
      input: inputLines,
      cuts: fc.array(fc.nat(), { maxLength: 40 }),
      // `undefined`: the default, min(maxBytes, 65536), which is maxBytes at these sizes.
      maxLineBytes: fc.option(fc.integer({ min: 1, max: 48 }), {
        nil: undefined
      }),
      extra: fc.integer({ min: 0, max: 200 }),
      takeEvery: fc.integer({ min: 1, max: 8 })
    },
    ({ cuts, extra, input, maxLineBytes, takeEvery }) => {
      const maxBytes = (maxLineBytes ?? 1) + extra
      const buffer = LineBuffer.unsafeMake({ maxBytes, maxLineBytes })
      const limit = maxLineBytes ?? maxBytes
      expect(buffer.maxLineBytes).toBe(limit)
      const bytes = new TextEncoder().encode(
        input.map((l) => l.text + l.ending).join("")
      )
      const output: Array<LineBuffer.Line> = []
      chunk(bytes, cuts).forEach((c, i) => {
        buffer.write(c)
        // Complete lines within maxBytes, plus the line being assembled (its CR may wait past the limit).
        assert.isAtMost(buffer.bufferedBytes, maxBytes + limit + 1)
        if (i % takeEvery === 0) output.push(...buffer.take())
      })
      output.push(...buffer.flush())
      assertNoFabrication(input, output, limit)
      const stats = buffer.stats()
      // Every input line is accounted for: returned or dropped whole.
      expect(stats.lines + stats.droppedLines).toBe(input.length)
      expect(stats.lines).toBe(output.length)
      // Every byte of content (line endings excluded) is returned or counted as dropped.
      const written = input.reduce((n, l) => n + utf8(l.text), 0)
      const returned = output.reduce((n, l) => n + utf8(l.text), 0)
      expect(returned + stats.droppedBytes).toBe(written)
      expect(output.filter((l) => l.truncated).length).toBeLessThanOrEqual(
        stats.truncatedLines
      )
      expect(stats.truncatedLines).toBe(
        input.filter((l) => utf8(l.text) > limit).length
      )
      expect(buffer.bufferedBytes).toBe(0)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "an over-long line in an empty buffer always comes back as its flagged prefix, terminated or flushed",
    {
      text: lineText.filter((t) => t.length > 0),
      maxBytes: fc.integer({ min: 1, max: 40 }),
      lineLimit: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
      terminated: fc.boolean()
    },
    ({ lineLimit, maxBytes, terminated, text }) => {
      const maxLineBytes = lineLimit === undefined ? undefined : Math.min(lineLimit, maxBytes)
      const buffer = LineBuffer.unsafeMake({ maxBytes, maxLineBytes })
      buffer.write(terminated ? text + "\n" : text)
      const lines = terminated ? buffer.take() : buffer.flush()
      const limit = maxLineBytes ?? maxBytes
      const truncated = utf8(text) > limit
      expect(lines).toEqual([{
        text: truncated ? boundaryPrefix(text, limit) : text,
        truncated,
        terminated
      }])
      expect(buffer.stats().droppedLines).toBe(0)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("with default options an over-long line keeps its flagged prefix instead of being dropped whole", () => {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 100 })
    expect(buffer.maxLineBytes).toBe(100)
    buffer.write("x".repeat(150) + "\nne")
    expect(buffer.take()).toEqual([{
      text: "x".repeat(100),
      truncated: true,
      terminated: true
    }])
    buffer.write("xt\n")
    expect(buffer.take()).toEqual([{
      text: "next",
      truncated: false,
      terminated: true
    }])
    expect(buffer.stats()).toEqual({
      lines: 2,
      droppedLines: 0,
      droppedBytes: 50,
      truncatedLines: 1
    })

    const big = LineBuffer.unsafeMake({ maxBytes: 100_000 })
    expect(big.maxLineBytes).toBe(65_536)
    big.write("y".repeat(100_000))
    expect(big.flush()).toEqual([{
      text: "y".repeat(65_536),
      truncated: true,
      terminated: false
    }])
  })

  it("a line of exactly maxBytes fits in an empty buffer, on write and on flush", () => {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 10 })
    buffer.write("0123456789\n")
    expect(buffer.take()).toEqual([{
      text: "0123456789",
      truncated: false,
      terminated: true
    }])
    buffer.write("abcdefghij")
    expect(buffer.flush()).toEqual([{
      text: "abcdefghij",
      truncated: false,
      terminated: false
    }])
    buffer.write("ABCDEFGHIJ\r\n")
    expect(buffer.take()).toEqual([{
      text: "ABCDEFGHIJ",
      truncated: false,
      terminated: true
    }])
    expect(buffer.stats()).toEqual({
      lines: 3,
      droppedLines: 0,
      droppedBytes: 0,
      truncatedLines: 0
    })
  })

  it.prop(
    "a full buffer drops whole lines and counts them, and memory stays within maxBytes",
    {
      lines: fc.array(
        fc.string({ maxLength: 30 }).map((s) => s.replaceAll("\n", "").replaceAll("\r", "")),
        {
          minLength: 1,
          maxLength: 200
        }
      ),
      maxBytes: fc.integer({ min: 40, max: 400 })
    },
    ({ lines, maxBytes }) => {
      const buffer = LineBuffer.unsafeMake({ maxBytes, maxLineBytes: 40 })
      for (const line of lines) {
        buffer.write(line + "\n")
        assert.isAtMost(buffer.bufferedBytes, maxBytes)
      }
      const output = buffer.take()
      const stats = buffer.stats()
      expect(stats.lines + stats.droppedLines).toBe(lines.length)
      const dropped = lines.filter((l) => !output.some((o) => o.text === l))
      expect(dropped.length).toBeLessThanOrEqual(stats.droppedLines)
      // The kept lines are the input's first lines that fit, in order.
      assertNoFabrication(
        lines.map((text) => ({ text, ending: "\n" })),
        output,
        40
      )
    }
  )

  it("a buffer capped mid-write does not join the cut line to the next write", () => {
    // The seed-004 shape: the cap falls inside "line2"; the next write must not complete it into "limore".
    const buffer = LineBuffer.unsafeMake({ maxBytes: 8, maxLineBytes: 8 })
    buffer.write("line1\nline2\nline3\n")
    buffer.write("more\n")
    const texts = buffer.flush().map((l) => l.text)
    expect(texts).toEqual(["line1"])
    expect(texts).not.toContain("limore")
    expect(buffer.stats()).toEqual({
      lines: 1,
      droppedLines: 3,
      droppedBytes: 14,
      truncatedLines: 0
    })
  })

  it("an over-long line is cut at a character boundary, flagged, and its tail is discarded up to its newline", () => {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 1024, maxLineBytes: 5 })
    buffer.write("ab€")
    buffer.write("cdef")
    buffer.write("gh\nnext\n")
    expect(buffer.take()).toEqual([
      { text: "ab€", truncated: true, terminated: true },
      { text: "next", truncated: false, terminated: true }
    ])
    expect(buffer.stats().truncatedLines).toBe(1)
    expect(buffer.stats().droppedBytes).toBe(6)
  })

  it("a character split across two writes is reassembled, never replaced", () => {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 64 })
    const bytes = new TextEncoder().encode("😀 ok\n")
    buffer.write(bytes.subarray(0, 2))
    buffer.write(bytes.subarray(2))
    expect(buffer.take()).toEqual([{
      text: "😀 ok",
      truncated: false,
      terminated: true
    }])
  })

  it("CRLF endings are removed, even when CR and LF arrive in different writes; a lone CR is content", () => {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 64, maxLineBytes: 3 })
    buffer.write("abc\r")
    buffer.write("\nx\ry\r\n")
    expect(buffer.take()).toEqual([
      { text: "abc", truncated: false, terminated: true },
      { text: "x\ry", truncated: false, terminated: true }
    ])
  })

  it("flush returns the trailing line flagged as unterminated, and a partial line waits for its newline", () => {
    const buffer = LineBuffer.unsafeMake({ maxBytes: 64 })
    buffer.write("done\npartial")
    expect(buffer.take().map((l) => l.text)).toEqual(["done"])
    expect(buffer.take()).toEqual([])
    expect(buffer.flush()).toEqual([{
      text: "partial",
      truncated: false,
      terminated: false
    }])
    expect(buffer.flush()).toEqual([])
  })

  it("rejects a zero, negative, fractional or NaN size, and a line limit above the buffer, with InvalidOptions", () =>
    Effect.gen(function* () {
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(LineBuffer.make({ maxBytes: bad }))
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(LineBuffer.make({ maxBytes: bad }))
        assert.instanceOf(error, Deadline.InvalidOptions)
        expect(error.option).toBe("maxBytes")
        expect(error.message).toContain(String(bad))
      }
      const error = yield* Effect.flip(
        LineBuffer.make({ maxBytes: 10, maxLineBytes: 11 })
      )
      expect(error.option).toBe("maxLineBytes")
      expect(() => LineBuffer.unsafeMake({ maxBytes: 0 })).toThrow(
        Deadline.InvalidOptions
      )
    }).pipe(Effect.runSync))
})
