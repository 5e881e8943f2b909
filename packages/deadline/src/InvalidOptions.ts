/**
 * The error every Lifeline constructor fails with when an option is out of its domain.
 *
 * Bad options are rejected when a value is made, never silently replaced: a capacity of `0` does not mean
 * "unbounded" and `NaN` does not mean "default".
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"

/**
 * The fields of {@link InvalidOptions}.
 *
 * @example
 * import { InvalidOptions } from "@lifeline/deadline"
 *
 * const fields: InvalidOptions.InvalidOptionsFields = { option: "capacity", value: 0, reason: "must be a whole number ≥ 1" }
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

// Annotated so that JSR reads the class's type without inferring `Data.TaggedError`'s result.
const InvalidOptionsBase: new (
  args: InvalidOptionsFields
) => Cause.YieldableError & { readonly _tag: "InvalidOptions" } & InvalidOptionsFields = Data.TaggedError(
  "InvalidOptions"
)<InvalidOptionsFields>

/**
 * An option was out of its domain. `message` names the option and the bad value.
 *
 * @example
 * import { InvalidOptions } from "@lifeline/deadline"
 *
 * const error = new InvalidOptions.InvalidOptions({ option: "capacity", value: 0, reason: "must be a positive integer" })
 * console.log(error.message) // capacity: must be a positive integer (got 0)
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends InvalidOptionsBase {
  override get message(): string {
    return `${this.option}: ${this.reason} (got ${show(this.value)})`
  }
}

const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) {
    return String(value)
  }
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
