import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as api from "../Options.ts"
import { InvalidOptions } from "./invalidOptions.ts"

export const invalid = (option: string, value: unknown, reason: string): InvalidOptions =>
  new InvalidOptions({ option, value, reason })

const left = (option: string, value: unknown, reason: string) => Either.left(invalid(option, value, reason))

const isNegativeInput = (input: unknown): boolean => {
  if (typeof input === "number") return input < 0 || Object.is(input, -0)
  if (typeof input === "bigint") return input < 0n
  if (typeof input === "string") return input.trimStart().startsWith("-")
  if (Array.isArray(input)) return input.some((n) => typeof n === "number" && (n < 0 || Object.is(n, -0)))
  return false
}

const hasNaN = (input: unknown): boolean =>
  (typeof input === "number" && Number.isNaN(input)) ||
  (Array.isArray(input) && input.some((n) => typeof n === "number" && Number.isNaN(n)))

/**
 * Decodes a `DurationInput` without the silent coercions of `Duration.decode` (which reads `NaN` as zero):
 * `undefined` when the input is malformed or `NaN`. Negative inputs decode (to zero, as Effect does); callers
 * that must reject them ask {@link isNegativeInput} on the input.
 */
export const decodeDuration = (input: unknown): Duration.Duration | undefined => {
  if (input === undefined || input === null || hasNaN(input)) return undefined
  try {
    return Duration.decode(input as Duration.DurationInput)
  } catch {
    return undefined
  }
}

export const negative = isNegativeInput

const finiteDuration = (
  option: string,
  input: unknown,
  allowZero: boolean
): Either.Either<Duration.Duration, InvalidOptions> => {
  const reason = allowZero ? "must be a finite duration ≥ 0" : "must be a finite duration > 0"
  const decoded = decodeDuration(input)
  if (decoded === undefined || isNegativeInput(input) || !Duration.isFinite(decoded)) {
    return left(option, input, reason)
  }
  if (!allowZero && Duration.isZero(decoded)) return left(option, input, reason)
  return Either.right(decoded)
}

export const positiveDuration = (option: string, input: unknown): Either.Either<Duration.Duration, InvalidOptions> =>
  finiteDuration(option, input, false)

export const nonNegativeDuration = (
  option: string,
  input: unknown
): Either.Either<Duration.Duration, InvalidOptions> => finiteDuration(option, input, true)

export const positiveInteger = (option: string, value: unknown): Either.Either<number, InvalidOptions> =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1
    ? Either.right(value)
    : left(option, value, "must be a whole number ≥ 1")

export const nonNegativeInteger = (option: string, value: unknown): Either.Either<number, InvalidOptions> =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0)
    ? Either.right(value)
    : left(option, value, "must be a whole number ≥ 0")

export const integerBetween =
  (min: number, max: number) => (option: string, value: unknown): Either.Either<number, InvalidOptions> =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max
      ? Either.right(value)
      : left(option, value, `must be a whole number from ${min} to ${max}`)

export const nonNegativeNumber = (option: string, value: unknown): Either.Either<number, InvalidOptions> =>
  typeof value === "number" && Number.isFinite(value) && value >= 0
    ? Either.right(Object.is(value, -0) ? 0 : value)
    : left(option, value, "must be a finite number ≥ 0")

export const name = (option: string, value: unknown): Either.Either<string, InvalidOptions> =>
  typeof value === "string" && value.trim().length > 0
    ? Either.right(value)
    : left(option, value, "must be a non-empty string")

export const oneOf =
  <const C extends ReadonlyArray<string>>(choices: C) =>
  (option: string, value: unknown): Either.Either<C[number], InvalidOptions> =>
    typeof value === "string" && choices.includes(value)
      ? Either.right(value as C[number])
      : left(option, value, `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`)

export const callable = (
  option: string,
  value: unknown
): Either.Either<(...args: ReadonlyArray<never>) => unknown, InvalidOptions> =>
  typeof value === "function"
    ? Either.right(value as (...args: ReadonlyArray<never>) => unknown)
    : left(option, value, "must be a function")

export const schedule = (
  option: string,
  value: unknown
): Either.Either<Schedule.Schedule<unknown, unknown, unknown>, InvalidOptions> =>
  Schedule.isSchedule(value)
    ? Either.right(value as Schedule.Schedule<unknown, unknown, unknown>)
    : left(option, value, "must be a Schedule")

export const boolean = (option: string, value: unknown): Either.Either<boolean, InvalidOptions> =>
  typeof value === "boolean" ? Either.right(value) : left(option, value, "must be true or false")

export const effect = <A, E, R>(
  option: string,
  value: Effect.Effect<A, E, R>
): Either.Either<Effect.Effect<A, E, R>, InvalidOptions> =>
  Effect.isEffect(value) ? Either.right(value) : left(option, value, "must be an Effect")

export const optional =
  <A, const B>(check: api.Check<A>, fallback: B) =>
  (option: string, value: unknown): Either.Either<A | B, InvalidOptions> =>
    value === undefined ? Either.right(fallback) : check(option, value)

export const getOrThrow = <A>(result: Either.Either<A, InvalidOptions>): A => {
  if (Either.isLeft(result)) throw result.left
  return result.right
}

export const attempt = <A>(evaluate: () => A): Effect.Effect<A, InvalidOptions> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(evaluate())
    } catch (error) {
      return error instanceof InvalidOptions ? Effect.fail(error) : Effect.die(error)
    }
  })
