import type { Cause } from "effect"
import { Data } from "effect"

interface InvalidOptionsFields {
  readonly option: string
  readonly value: unknown
  readonly reason: string
}

// Annotated so that JSR can read the class's type without inferring `Data.TaggedError`'s result.
const InvalidOptionsBase: new (
  args: InvalidOptionsFields
) => Cause.YieldableError & { readonly _tag: "InvalidOptions" } & InvalidOptionsFields = Data.TaggedError(
  "InvalidOptions"
)

/** @internal */
export class InvalidOptions extends InvalidOptionsBase {
  override get message(): string {
    return `Invalid option ${this.option}: ${formatValue(this.value)} (${this.reason})`
  }
}

const formatValue = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "function") return "<function>"
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value, (_key, v) => typeof v === "function" ? "<function>" : v)
    } catch {
      return String(value)
    }
  }
  return String(value)
}
