/**
 * Validation of options shared by every Lifeline package, so that each constructor rejects bad input the
 * same way: with an {@link InvalidOptions} that names the option and the value, never a silent default.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Either from "effect/Either"
import * as internal from "./internal/options.ts"
import type { InvalidOptions } from "./InvalidOptions.ts"

/**
 * Whether a duration option may be zero.
 *
 * @since 0.1.0
 * @category models
 */
export type DurationDomain = "positive" | "non-negative"

/**
 * Decodes a `Duration.DurationInput` strictly: `NaN`, malformed strings and negative values are rejected
 * (Effect's own `Duration.decode` turns `NaN` and negatives into zero); `"positive"` (the default) also
 * rejects zero.
 *
 * @example
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isRight(Options.duration("linger", "200 millis"))) // true
 * console.log(Either.isLeft(Options.duration("linger", Number.NaN)))   // true
 *
 * @since 0.1.0
 * @category validation
 */
export const duration: (
  option: string,
  input: unknown,
  domain?: DurationDomain
) => Either.Either<Duration.Duration, InvalidOptions> = internal.duration

/**
 * Accepts a whole number ≥ 1.
 *
 * @example
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.positiveInteger("capacity", 0))) // true
 *
 * @since 0.1.0
 * @category validation
 */
export const positiveInteger: (option: string, value: unknown) => Either.Either<number, InvalidOptions> =
  internal.positiveInteger

/**
 * Accepts a whole number ≥ 0.
 *
 * @example
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isRight(Options.nonNegativeInteger("retries", 0))) // true
 *
 * @since 0.1.0
 * @category validation
 */
export const nonNegativeInteger: (option: string, value: unknown) => Either.Either<number, InvalidOptions> =
  internal.nonNegativeInteger

/**
 * Accepts one of a fixed set of values.
 *
 * @example
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.oneOf("strategy", "drop-all", ["drop-newest", "drop-oldest"] as const))) // true
 *
 * @since 0.1.0
 * @category validation
 */
export const oneOf: <const C extends ReadonlyArray<string>>(
  option: string,
  value: unknown,
  choices: C
) => Either.Either<C[number], InvalidOptions> = internal.oneOf

/**
 * Accepts a non-empty string.
 *
 * @example
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.nonEmptyString("name", ""))) // true
 *
 * @since 0.1.0
 * @category validation
 */
export const nonEmptyString: (option: string, value: unknown) => Either.Either<string, InvalidOptions> =
  internal.nonEmptyString
