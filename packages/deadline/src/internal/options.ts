import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { InvalidOptions } from "../InvalidOptions.ts"

const invalid = (option: string, value: unknown, reason: string) =>
  Either.left(new InvalidOptions({ option, value, reason }))

const isNegativeInput = (input: unknown): boolean => {
  if (typeof input === "number") return input < 0 || Object.is(input, -0)
  if (typeof input === "bigint") return input < 0n
  if (typeof input === "string") return input.trimStart().startsWith("-")
  if (Array.isArray(input)) return input.some((n) => typeof n === "number" && n < 0)
  return false
}

const hasNaN = (input: unknown): boolean =>
  (typeof input === "number" && Number.isNaN(input)) ||
  (Array.isArray(input) && input.some((n) => typeof n === "number" && Number.isNaN(n)))

/** Decodes without the silent coercions of `Duration.decode`; `undefined` when malformed. */
export const decodeStrict = (input: unknown): Duration.Duration | undefined => {
  if (input === undefined || input === null || hasNaN(input)) return undefined
  try {
    return Duration.decode(input as Duration.DurationInput)
  } catch {
    return undefined
  }
}

export const duration = (
  option: string,
  input: unknown,
  domain: "positive" | "non-negative" = "positive"
): Either.Either<Duration.Duration, InvalidOptions> => {
  const reason = domain === "positive" ? "must be a positive duration" : "must be a duration ≥ 0"
  const decoded = decodeStrict(input)
  if (decoded === undefined || isNegativeInput(input)) return invalid(option, input, reason)
  if (domain === "positive" && Duration.isZero(decoded)) return invalid(option, input, reason)
  return Either.right(decoded)
}

export const positiveInteger = (option: string, value: unknown): Either.Either<number, InvalidOptions> =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1
    ? Either.right(value)
    : invalid(option, value, "must be a whole number ≥ 1")

export const nonNegativeInteger = (option: string, value: unknown): Either.Either<number, InvalidOptions> =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0
    ? Either.right(value)
    : invalid(option, value, "must be a whole number ≥ 0")

export const oneOf = <const C extends ReadonlyArray<string>>(
  option: string,
  value: unknown,
  choices: C
): Either.Either<C[number], InvalidOptions> =>
  typeof value === "string" && choices.includes(value)
    ? Either.right(value as C[number])
    : invalid(option, value, `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`)

export const nonEmptyString = (option: string, value: unknown): Either.Either<string, InvalidOptions> =>
  typeof value === "string" && value.length > 0
    ? Either.right(value)
    : invalid(option, value, "must be a non-empty string")
