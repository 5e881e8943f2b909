/**
 * `Main.exitCode`, the pure policy, over generated causes: sequential and parallel trees of failures,
 * defects, interruptions and empties.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { InvalidOptions } from "@lifeline/deadline"
import { Cause, Chunk, Exit, FastCheck as fc, FiberId } from "effect"
import { Main } from "../src/index.ts"

const tags = ["SendFailed", "DeadlineExceeded", "TimeoutException", "constructor", "__proto__"] as const

/** Failures as programs raise them: tagged errors, and also strings, numbers, null and tagless objects. */
const failure = fc.oneof(
  fc.constantFrom(...tags).map((_tag) => ({ _tag })),
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.record({ message: fc.string() })
)
const fiberId = fc.integer({ min: 0, max: 1000 }).map((id) => FiberId.make(id, 0))

const empty = fc.constant(Cause.empty)
const interrupt = fiberId.map(Cause.interrupt)
const fail = failure.map(Cause.fail)
const die = fc.oneof(fc.string(), fc.constant(new Error("bug"))).map(Cause.die)

/** Trees of `leaf` joined by `Sequential` and `Parallel`. */
const tree = (leaf: fc.Arbitrary<Cause.Cause<unknown>>): fc.Arbitrary<Cause.Cause<unknown>> =>
  fc.letrec<{ cause: Cause.Cause<unknown> }>((tie) => ({
    cause: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.tuple(tie("cause"), tie("cause")).map(([l, r]) => Cause.sequential(l, r)),
      fc.tuple(tie("cause"), tie("cause")).map(([l, r]) => Cause.parallel(l, r))
    )
  })).cause

const interruptionsOnly = tree(fc.oneof(empty, interrupt))
const withoutDefects = tree(fc.oneof(empty, interrupt, fail))
const anyCause = tree(fc.oneof(empty, interrupt, fail, die))

/** Puts `inner` somewhere in `outer`, sequentially or in parallel, on either side. */
const embed = (outer: Cause.Cause<unknown>, inner: Cause.Cause<unknown>, how: number) =>
  [
    Cause.sequential(outer, inner),
    Cause.sequential(inner, outer),
    Cause.parallel(outer, inner),
    Cause.parallel(inner, outer)
  ][how]!

const code = fc.integer({ min: 0, max: 255 })
const codes = fc.record({
  failure: code,
  defect: code,
  graceExceeded: code,
  byTag: fc.dictionary(fc.constantFrom(...tags), code, { maxKeys: 3 })
}, { requiredKeys: [] })

const hasFailure = (cause: Cause.Cause<unknown>) => Chunk.size(Cause.failures(cause)) > 0

/** The policy written out the slow way, from the failures in the order the cause lists them. */
const expectedFailureCode = (cause: Cause.Cause<unknown>, c: Main.Codes): number => {
  for (const error of Chunk.toReadonlyArray(Cause.failures(cause))) {
    const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : undefined
    const byTag = c.byTag ?? {}
    const mapped = tag !== undefined && Object.prototype.hasOwnProperty.call(byTag, tag) ? byTag[tag]! : undefined
    const result = mapped ?? c.failure ?? 1
    if (result !== 0) return result
  }
  return 0
}

const thrown = (f: () => unknown): InvalidOptions.InvalidOptions => {
  try {
    f()
  } catch (error) {
    assert.instanceOf(error, InvalidOptions.InvalidOptions)
    return error as InvalidOptions.InvalidOptions
  }
  return assert.fail("expected InvalidOptions to be thrown")
}

describe("Main.exitCode", () => {
  it("success is 0", () => {
    expect(Main.exitCode(Exit.succeed("done"))).toBe(0)
    expect(Main.exitCode(Exit.void, { failure: 9, defect: 9 })).toBe(0)
  })

  it.prop("interruption only is 0, however the interruptions are nested", [interruptionsOnly, codes], ([cause, c]) => {
    expect(Main.exitCode(Exit.failCause(cause), c)).toBe(0)
  })

  it.prop(
    "a defect anywhere is codes.defect, whatever failures and interruptions surround it",
    [anyCause, die, fc.integer({ min: 0, max: 3 }), codes],
    ([cause, defect, how, c]) => {
      expect(Main.exitCode(Exit.failCause(embed(cause, defect, how)), c)).toBe(c.defect ?? 70)
    }
  )

  it.prop(
    "without byTag, a typed failure is codes.failure even when its siblings were interrupted because of it",
    [withoutDefects.filter(hasFailure), fc.integer({ min: 1, max: 255 })],
    ([cause, failure]) => {
      expect(Main.exitCode(Exit.failCause(cause))).toBe(1)
      expect(Main.exitCode(Exit.failCause(cause), { failure })).toBe(failure)
    }
  )

  it.prop(
    "adding interruptions, in sequence or in parallel, never changes the code",
    [anyCause, tree(interrupt), fc.integer({ min: 0, max: 3 }), codes],
    ([cause, interruptions, how, c]) => {
      const before = Main.exitCode(Exit.failCause(cause), c)
      // An empty or interrupt-only cause stays interrupt-only: still 0.
      expect(Main.exitCode(Exit.failCause(embed(cause, interruptions, how)), c)).toBe(before)
    }
  )

  it.prop(
    "failures are looked up in byTag; the first whose code is not 0 decides, in the cause's order",
    [withoutDefects.filter(hasFailure), codes],
    ([cause, c]) => {
      expect(Main.exitCode(Exit.failCause(cause), c)).toBe(expectedFailureCode(cause, c))
    }
  )

  it.prop("the code is always a whole number from 0 to 255", [anyCause, codes], ([cause, c]) => {
    const result = Main.exitCode(Exit.failCause(cause), c)
    expect(Number.isInteger(result) && result >= 0 && result <= 255).toBe(true)
  })

  it("byTag maps a tag to its code, a run-duration deadline to 0, and leaves other tags to codes.failure", () => {
    const exit = (error: unknown) => Exit.fail(error)
    const codes: Main.Codes = {
      byTag: { DeadlineExceeded: 0, ConfigError: 78 }
    }
    expect(Main.exitCode(exit({ _tag: "DeadlineExceeded" }), codes)).toBe(0)
    expect(Main.exitCode(exit({ _tag: "ConfigError" }), codes)).toBe(78)
    expect(Main.exitCode(exit({ _tag: "SendFailed" }), codes)).toBe(1)
    expect(Main.exitCode(exit("no tag"), codes)).toBe(1)
  })

  it("a failure whose _tag getter throws is an ordinary failure", () => {
    const hostile = new Proxy({}, {
      get: () => {
        throw new Error("hostile")
      }
    })
    expect(Main.exitCode(Exit.fail(hostile), { byTag: { SendFailed: 3 } })).toBe(1)
  })

  it("is dual: Main.exitCode(codes)(exit)", () => {
    expect(Exit.fail({ _tag: "SendFailed" }).pipe(Main.exitCode({ byTag: { SendFailed: 75 } }))).toBe(75)
    expect(Exit.die("bug").pipe(Main.exitCode())).toBe(70)
  })

  it.prop(
    "a code outside 0–255, fractional, NaN or infinite throws InvalidOptions naming the option",
    [
      fc.oneof(
        fc.integer({ min: 256 }),
        fc.integer({ max: -1 }),
        fc.double({ noInteger: true }),
        fc.constantFrom(Number.NaN, Infinity, -Infinity, "1", null)
      ),
      fc.constantFrom("failure", "defect", "graceExceeded", "byTag")
    ],
    ([bad, field]) => {
      const c = field === "byTag" ? { byTag: { SendFailed: bad } } : { [field]: bad }
      const error = thrown(() => Main.exitCode(Exit.void, c as Main.Codes))
      expect(error.option).toBe(field === "byTag" ? "codes.byTag.SendFailed" : `codes.${field}`)
      expect(error.message).toContain("from 0 to 255")
    }
  )

  it("codes and byTag that are not objects throw InvalidOptions", () => {
    expect(thrown(() => Main.exitCode(Exit.void, 3 as unknown as Main.Codes)).option).toBe("codes")
    const byTag = [1] as unknown as Main.Codes["byTag"]
    expect(thrown(() => Main.exitCode(Exit.void, { byTag })).option).toBe("codes.byTag")
  })
})
