import { describe, expect, it } from "@effect/vitest"
import { DroppingQueue } from "@lifeline/queue"
import { FastCheck as fc } from "effect"
import { scanLength, utf8Length } from "../src/internal/utf8.ts"

const encoder = new TextEncoder()
const encodedLength = (s: string): number => encoder.encode(s).length

/**
 * Strings of every shape a weight must be exact for: ASCII, Latin-1, other BMP characters, surrogate pairs and
 * lone surrogates (any UTF-16 code unit, in any order), and ropes (strings built by concatenation, which the
 * engine keeps unflattened until something reads them).
 */
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 64 }),
  fc.array(fc.string({ unit: "binary", maxLength: 24 }), { maxLength: 8 }).map((parts) =>
    parts.reduce((rope, part) => rope + part, "")
  )
)

describe("UTF-8 length", () => {
  it.prop("the default weight of a string is its UTF-8 byte count, whatever the string", { s: anyString }, ({ s }) => {
    expect(utf8Length(s)).toBe(encodedLength(s))
  }, { fastCheck: { numRuns: 2000 } })

  it.prop(
    "the portable count agrees with the encoder too (runtimes without Buffer use it)",
    { s: anyString },
    ({ s }) => {
      expect(scanLength(s)).toBe(encodedLength(s))
    },
    { fastCheck: { numRuns: 2000 } }
  )

  it("lone surrogates count as the 3 bytes of the replacement character an encoder writes", () => {
    for (const s of ["\ud800", "\udc00", "a\ud83d", "\ud83d\ud83d\ude00", "\ude00\ud83d", "😀", "é€"]) {
      expect([s, utf8Length(s)]).toEqual([s, encodedLength(s)])
      expect([s, scanLength(s)]).toEqual([s, encodedLength(s)])
    }
  })

  it.prop(
    "a queue with the default weigh accounts bytes and dropped bytes in UTF-8, exactly",
    {
      items: fc.array(anyString, { maxLength: 40 }),
      maxBytes: fc.integer({ min: 1, max: 200 })
    },
    ({ items, maxBytes }) => {
      const queue = DroppingQueue.unsafeMake<string>({ capacity: 8, maxBytes, strategy: "drop-oldest" })
      let kept: Array<string> = []
      let droppedBytes = 0
      for (const item of items) {
        const w = encodedLength(item)
        if (w > maxBytes) {
          droppedBytes += w
        } else {
          kept.push(item)
          let total = kept.reduce((sum, k) => sum + encodedLength(k), 0)
          while (kept.length > 8 || total > maxBytes) {
            const evicted = kept.shift()!
            droppedBytes += encodedLength(evicted)
            total -= encodedLength(evicted)
          }
        }
        queue.unsafeOffer(item)
      }
      const stats = queue.unsafeStats()
      expect(stats.bytes).toBe(kept.reduce((sum, k) => sum + encodedLength(k), 0))
      expect(stats.droppedBytes).toBe(droppedBytes)
      expect(queue.unsafeTakeUpTo(8)).toEqual(kept)
      kept = []
    }
  )
})
