/**
 * The error every Lifeline constructor fails with when an option is out of its domain.
 *
 * Bad options are rejected when a value is made, never silently replaced: a capacity of `0` does not mean
 * "unbounded" and `NaN` does not mean "default".
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as internal from "./internal/invalidOptions.ts"

/**
 * The fields of {@link InvalidOptions}.
 *
 * @example
 * ```ts
 * import { InvalidOptions } from "@lifeline/deadline"
 *
 * const fields: InvalidOptions.InvalidOptionsFields = {
 *   option: "capacity",
 *   value: 0,
 *   reason: "must be a whole number ≥ 1"
 * }
 * console.log(new InvalidOptions.InvalidOptions(fields).message) // capacity: must be a whole number ≥ 1 (got 0)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidOptionsFields {
  /** The option's name, as the caller wrote it (`"capacity"`, `"intensity.within"`). */
  readonly option: string
  /** The value that was rejected. */
  readonly value: unknown
  /** What the value must be. */
  readonly reason: string
}

/**
 * An option was out of its domain. `message` names the option and the bad value.
 *
 * @since 0.1.0
 * @category errors
 */
export interface InvalidOptions extends Cause.YieldableError, InvalidOptionsFields {
  readonly _tag: "InvalidOptions"
}

/**
 * Makes an {@link InvalidOptions} error; `instanceof InvalidOptions` recognises one.
 *
 * @example
 * ```ts
 * import { InvalidOptions } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const error = new InvalidOptions.InvalidOptions({ option: "capacity", value: 0, reason: "must be a whole number ≥ 1" })
 * const program = Effect.fail(error).pipe(
 *   Effect.catchTag("InvalidOptions", (e) => Effect.log(`${e.option} rejected: ${e.reason}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidOptions: new (fields: InvalidOptionsFields) => InvalidOptions = internal.InvalidOptions
