import { type InvalidOptions, Options } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type * as api from "../Main.ts"
import { resolveCodes, type ResolvedCodes } from "./policy.ts"

/** {@link api.RunOptions} after validation. */
export interface Resolved {
  readonly gracePeriod: Duration.Duration
  readonly runFor: Duration.Duration | undefined
  readonly signals: ReadonlyArray<api.Signal>
  readonly codes: ResolvedCodes
}

export const knownSignals: ReadonlyArray<api.Signal> = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR2"]
const defaultSignals: ReadonlyArray<api.Signal> = ["SIGTERM", "SIGINT"]
const defaultGracePeriod = Duration.seconds(10)

const signal = Options.oneOf(knownSignals)

const resolveSignals = (value: unknown): Either.Either<ReadonlyArray<api.Signal>, InvalidOptions.InvalidOptions> =>
  Either.gen(function* () {
    if (value === undefined) return defaultSignals
    if (!Array.isArray(value)) return yield* Either.left(Options.invalid("signals", value, "must be an array"))
    if (value.length === 0) {
      // With no handler the first SIGTERM would kill the process with its finalizers skipped.
      return yield* Either.left(Options.invalid("signals", value, "must name at least one signal"))
    }
    const signals = new Set<api.Signal>()
    for (let i = 0; i < value.length; i++) signals.add(yield* signal(`signals[${i}]`, value[i]))
    return Array.from(signals)
  })

export const resolve = (options: unknown): Either.Either<Resolved, InvalidOptions.InvalidOptions> =>
  Either.gen(function* () {
    if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
      return yield* Either.left(Options.invalid("options", options, "must be an object"))
    }
    const o = (options ?? {}) as Readonly<Record<string, unknown>>
    const gracePeriod = yield* Options.optional(Options.nonNegativeDuration, defaultGracePeriod)(
      "gracePeriod",
      o.gracePeriod
    )
    const runFor = yield* Options.optional(Options.positiveDuration, undefined)("runFor", o.runFor)
    const signals = yield* resolveSignals(o.signals)
    const codes = yield* resolveCodes(o.codes)
    return { gracePeriod, runFor, signals, codes }
  })
