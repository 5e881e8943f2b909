import type * as api from "../Main.ts"
import type { Outcome } from "./supervise.ts"

/** The summary line, fields in the documented order, optional ones only when present. */
export const encode = (outcome: Outcome): string => {
  const summary: api.Summary = {
    event: "exit",
    code: outcome.code,
    reason: outcome.reason,
    ...(outcome.signal === undefined ? {} : { signal: outcome.signal }),
    elapsedMs: outcome.elapsedMs,
    ...(outcome.stillRunning === undefined ? {} : { stillRunning: outcome.stillRunning })
  }
  return JSON.stringify(summary)
}
