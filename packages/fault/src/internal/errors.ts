import { Data } from "effect"

/** @internal */
export class InvalidOptions extends Data.TaggedError("InvalidOptions")<{
  readonly option: string
  readonly value: unknown
  readonly reason: string
}> {
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
