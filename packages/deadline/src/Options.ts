/**
 * Validation of options shared by every Lifeline package, so that each constructor rejects bad input the
 * same way: with an {@link InvalidOptions} that names the option and the value, never a silent default.
 *
 * Each domain is a {@link Check}: a function of the option's name and the caller's value that returns an
 * `Either`. `Either` is yieldable, so an `Effect.gen` constructor validates with `yield*`; a synchronous
 * `unsafeMake` uses {@link getOrThrow}, and {@link attempt} turns such a constructor into an Effect.
 *
 * Durations are finite here: an option never takes `Duration.infinity` as a magic "unbounded". Effect's own
 * `Duration.decode` reads `NaN` and negative numbers as zero; these checks reject them.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/options.ts"
import type { InvalidOptions } from "./InvalidOptions.ts"

/**
 * A domain: given the option's name (for the error) and the caller's value, the decoded value or an
 * {@link InvalidOptions}.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * const even: Options.Check<number> = (option, value) =>
 *   Either.flatMap(Options.positiveInteger(option, value), (n) =>
 *     n % 2 === 0 ? Either.right(n) : Either.left(Options.invalid(option, value, "must be even")))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Check<A> = (option: string, value: unknown) => Either.Either<A, InvalidOptions>

/**
 * A finite duration greater than zero (`"200 millis"`, `5000`, `Duration.seconds(1)`).
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isRight(Options.positiveDuration("linger", "200 millis"))) // true
 * console.log(Either.isLeft(Options.positiveDuration("linger", 0)))           // true
 * console.log(Either.isLeft(Options.positiveDuration("linger", Number.NaN)))  // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const positiveDuration: Check<Duration.Duration> = internal.positiveDuration

/**
 * A finite duration of zero or more.
 *
 * @example
 * ```ts
 * import { Duration, Either } from "effect"
 * import { Options } from "@lifeline/deadline"
 *
 * console.log(Either.isRight(Options.nonNegativeDuration("grace", 0)))                 // true
 * console.log(Either.isLeft(Options.nonNegativeDuration("grace", "-1 second")))        // true
 * console.log(Either.isLeft(Options.nonNegativeDuration("grace", Duration.infinity)))  // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const nonNegativeDuration: Check<Duration.Duration> = internal.nonNegativeDuration

/**
 * A whole number ≥ 1 (a capacity, a count).
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.positiveInteger("capacity", 0)))   // true
 * console.log(Either.isLeft(Options.positiveInteger("capacity", 1.5))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const positiveInteger: Check<number> = internal.positiveInteger

/**
 * A whole number ≥ 0.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isRight(Options.nonNegativeInteger("retries", 0))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const nonNegativeInteger: Check<number> = internal.nonNegativeInteger

/**
 * A whole number in `[min, max]` (an exit code, a port).
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * const exitCode = Options.integerBetween(0, 255)
 * console.log(Either.isLeft(exitCode("codes.failure", 256))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const integerBetween: (min: number, max: number) => Check<number> = internal.integerBetween

/**
 * A finite number ≥ 0, fractions allowed (a weight).
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isRight(Options.nonNegativeNumber("weigh", 0.5)))      // true
 * console.log(Either.isLeft(Options.nonNegativeNumber("weigh", Infinity))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const nonNegativeNumber: Check<number> = internal.nonNegativeNumber

/**
 * A name chosen by the caller: a string with at least one non-blank character. Names become metric tags
 * and log annotations.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.name("name", ""))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const name: Check<string> = internal.name

/**
 * One of a fixed set of strings.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * const strategy = Options.oneOf(["drop-newest", "drop-oldest"] as const)
 * console.log(Either.isLeft(strategy("strategy", "drop-all"))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const oneOf: <const C extends ReadonlyArray<string>>(choices: C) => Check<C[number]> = internal.oneOf

/**
 * A function (a callback option such as `send` or `weigh`).
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.callable("send", "http://example"))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const callable: Check<(...args: ReadonlyArray<never>) => unknown> = internal.callable

/**
 * An Effect `Schedule`.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either, Schedule } from "effect"
 *
 * console.log(Either.isRight(Options.schedule("retry", Schedule.recurs(3)))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const schedule: Check<Schedule.Schedule<unknown, unknown, unknown>> = internal.schedule

/**
 * `true` or `false` (not a truthy value).
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(Options.boolean("recordBodies", "yes"))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const boolean: Check<boolean> = internal.boolean

/**
 * An `Effect` (a job or child passed to a supervisor, a program passed to a boundary): a plain value or a
 * function that returns an Effect is rejected, instead of failing later where it is run.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 * import { Effect, Either } from "effect"
 *
 * console.log(Either.isRight(Options.effect("job", Effect.log("sweep"))))                     // true
 * console.log(Either.isLeft(Options.effect("job", (() => Effect.void) as unknown as Effect.Effect<void>))) // true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const effect: <A, E, R>(
  option: string,
  value: Effect.Effect<A, E, R>
) => Either.Either<Effect.Effect<A, E, R>, InvalidOptions> = internal.effect

/**
 * An optional option: `undefined` gives `fallback`; any other value must pass `check` (so `null` or `NaN`
 * is an error, not a default).
 *
 * @example
 * ```ts
 * import { Duration, Either } from "effect"
 * import { Options } from "@lifeline/deadline"
 *
 * const grace = Options.optional(Options.nonNegativeDuration, Duration.seconds(1))
 * console.log(Either.getOrThrow(grace("grace", undefined))) // Duration(1s)
 * console.log(Either.isLeft(grace("grace", Number.NaN)))     // true
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const optional: <A, const B>(check: Check<A>, fallback: B) => Check<A | B> = internal.optional

/**
 * Makes an {@link InvalidOptions} for a check of your own.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 *
 * const error = Options.invalid("maxLineBytes", 10, "must be ≤ maxBytes (5)")
 * console.log(error.message) // maxLineBytes: must be ≤ maxBytes (5) (got 10)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalid: (option: string, value: unknown, reason: string) => InvalidOptions = internal.invalid

/**
 * The value of a check, or throws its {@link InvalidOptions}: for synchronous `unsafeMake` constructors.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 *
 * const capacity = Options.getOrThrow(Options.positiveInteger("capacity", 1000))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const getOrThrow: <A>(result: Either.Either<A, InvalidOptions>) => A = internal.getOrThrow

/**
 * Runs a synchronous constructor that throws {@link InvalidOptions} as an Effect that fails with it; any other
 * exception is a defect. This is how a `make` is derived from an `unsafeMake`.
 *
 * @example
 * ```ts
 * import { Options } from "@lifeline/deadline"
 *
 * const unsafeMake = (capacity: number) => ({ capacity: Options.getOrThrow(Options.positiveInteger("capacity", capacity)) })
 * const make = (capacity: number) => Options.attempt(() => unsafeMake(capacity))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const attempt: <A>(evaluate: () => A) => Effect.Effect<A, InvalidOptions> = internal.attempt
