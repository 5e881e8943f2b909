import { type InvalidOptions, Options } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import type * as api from "../Main.ts"

/** {@link api.Codes} after validation. */
export interface ResolvedCodes {
  readonly failure: number
  readonly defect: number
  readonly graceExceeded: number
  readonly byTag: ReadonlyMap<string, number>
}

export const defaultCodes: ResolvedCodes = { failure: 1, defect: 70, graceExceeded: 124, byTag: new Map() }

const processCode = Options.integerBetween(0, 255)

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const resolveCodes = (codes: unknown): Either.Either<ResolvedCodes, InvalidOptions.InvalidOptions> =>
  Either.gen(function* () {
    if (codes === undefined) return defaultCodes
    if (!isRecord(codes)) return yield* Either.left(Options.invalid("codes", codes, "must be an object"))
    const failure = yield* Options.optional(processCode, defaultCodes.failure)("codes.failure", codes.failure)
    const defect = yield* Options.optional(processCode, defaultCodes.defect)("codes.defect", codes.defect)
    const graceExceeded = yield* Options.optional(processCode, defaultCodes.graceExceeded)(
      "codes.graceExceeded",
      codes.graceExceeded
    )
    const byTag = new Map<string, number>()
    if (codes.byTag !== undefined) {
      if (!isRecord(codes.byTag)) {
        return yield* Either.left(Options.invalid("codes.byTag", codes.byTag, "must be an object of exit codes"))
      }
      // Own keys only, kept in a Map: a tag named "constructor" or "__proto__" is just a tag.
      for (const [tag, code] of Object.entries(codes.byTag)) {
        byTag.set(tag, yield* processCode(`codes.byTag.${tag}`, code))
      }
    }
    return { failure, defect, graceExceeded, byTag }
  })

/** What ended the program, as far as the exit code is concerned. */
export type Kind = "success" | "interrupted" | "failure" | "defect"

export interface Classified {
  readonly code: number
  readonly kind: Kind
}

/** The `_tag` of a failure, read defensively: an error is user data and may be anything, even a hostile proxy. */
const tagOf = (error: unknown): string | undefined => {
  try {
    if (typeof error !== "object" || error === null) return undefined
    const tag = (error as { readonly _tag?: unknown })._tag
    return typeof tag === "string" ? tag : undefined
  } catch {
    return undefined
  }
}

export const classify = <A, E>(exit: Exit.Exit<A, E>, codes: ResolvedCodes): Classified => {
  if (Exit.isSuccess(exit)) return { code: 0, kind: "success" }
  const cause = exit.cause
  if (Cause.isInterruptedOnly(cause)) return { code: 0, kind: "interrupted" }
  if (Cause.isDie(cause)) return { code: codes.defect, kind: "defect" }
  // Interruptions are ignored from here on: they are the siblings the real failure brought down.
  for (const error of Chunk.toReadonlyArray(Cause.failures(cause))) {
    const tag = tagOf(error)
    const code = tag !== undefined && codes.byTag.has(tag) ? codes.byTag.get(tag)! : codes.failure
    if (code !== 0) return { code, kind: "failure" }
  }
  return { code: 0, kind: "failure" }
}

export const exitCode: {
  (codes?: api.Codes): <A, E>(exit: Exit.Exit<A, E>) => number
  <A, E>(exit: Exit.Exit<A, E>, codes?: api.Codes): number
} = dual(
  (args) => Exit.isExit(args[0]),
  <A, E>(exit: Exit.Exit<A, E>, codes?: api.Codes): number =>
    classify(exit, Options.getOrThrow(resolveCodes(codes))).code
)
