import * as Data from "effect/Data"
import type * as api from "../InvalidOptions.ts"

export class InvalidOptions extends Data.TaggedError("InvalidOptions")<api.InvalidOptionsFields>
  implements api.InvalidOptions {
  override get message(): string {
    return `${this.option}: ${this.reason} (got ${show(this.value)})`
  }
}

/** A short, single-line rendering of a rejected value; never throws (a value may be circular or a bigint). */
export const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`
  if (typeof value === "symbol") return value.toString()
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) {
    return Object.is(value, -0) ? "-0" : String(value)
  }
  try {
    const json = JSON.stringify(value)
    if (json === undefined) return String(value)
    return json.length > 200 ? `${json.slice(0, 200)}…` : json
  } catch {
    return Object.prototype.toString.call(value)
  }
}
