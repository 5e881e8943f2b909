import { Deadline, Options } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

export type InvalidOptions = Deadline.InvalidOptions

export const invalid = (
  option: string,
  value: unknown,
  reason: string
): Deadline.InvalidOptions => new Deadline.InvalidOptions({ option, value, reason })

/** Runs a throwing validator as an Effect that fails with the thrown `InvalidOptions`. */
export const attempt = <A>(
  f: () => A
): Effect.Effect<A, Deadline.InvalidOptions> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (error) {
      if (error instanceof Deadline.InvalidOptions) return Effect.fail(error)
      return Effect.die(error)
    }
  })

const orThrow = <A>(either: Either.Either<A, Deadline.InvalidOptions>): A => {
  if (Either.isLeft(either)) throw either.left
  return either.right
}

export const positiveInteger = (option: string, value: unknown): number =>
  orThrow(Options.positiveInteger(option, value))

export const nonEmptyString = (option: string, value: unknown): string => orThrow(Options.nonEmptyString(option, value))

export const positiveDuration = (
  option: string,
  value: unknown
): Duration.Duration => orThrow(Options.duration(option, value, "positive"))

export const nonNegativeDuration = (
  option: string,
  value: unknown
): Duration.Duration => orThrow(Options.duration(option, value, "non-negative"))

export const oneOf = <const C extends ReadonlyArray<string>>(
  option: string,
  value: unknown,
  choices: C
): C[number] => orThrow(Options.oneOf(option, value, choices))

export const finiteMillis = (option: string, d: Duration.Duration): number => {
  if (!Duration.isFinite(d)) {
    throw invalid(option, Duration.format(d), "must be a finite duration")
  }
  return Duration.toMillis(d)
}

export const optionalFunction = (option: string, value: unknown): void => {
  if (value !== undefined && typeof value !== "function") {
    throw invalid(option, value, "must be a function")
  }
}

// A shipper outlives the call that made it, so its sends must not inherit that call's deadline.
export const withoutInheritedDeadline: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> =
  Deadline.detach
