/**
 * The log API the runner ships to: a loopback HTTP server (`FaultServer.http`) that takes `delay` to answer
 * every call, like the slow remote of the incident. It checks every line it receives against what the job
 * really produced (`judge`): an exact line, a prefix of one flagged as truncated, or a fabrication.
 *
 * Wire format: `POST /v1/job-logs` with a JSON array of `{ text, truncated }`.
 */
import { FaultServer } from "@lifeline/fault"
import { type Duration, Effect, type Scope } from "effect"
import { judge } from "./job.ts"

export interface WireLine {
  readonly text: string
  readonly truncated: boolean
}

export interface Received {
  readonly requests: number
  readonly lines: number
  readonly exact: number
  readonly truncatedPrefixes: number
  readonly fabricated: number
  /** The first fabricated line seen, shortened, so a reader can see what was made up. */
  readonly firstFabricated: string | undefined
}

export interface LogApi {
  readonly url: string
  readonly received: () => Received
}

const decoder = new TextDecoder()

export const start = (
  delay: Duration.DurationInput
): Effect.Effect<LogApi, FaultServer.InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const tally = {
      requests: 0,
      lines: 0,
      exact: 0,
      truncatedPrefixes: 0,
      fabricated: 0,
      firstFabricated: undefined as string | undefined
    }
    const server = yield* FaultServer.http({
      reply: (request) => {
        tally.requests++
        const lines = JSON.parse(decoder.decode(request.body)) as ReadonlyArray<
          WireLine
        >
        for (const line of lines) {
          tally.lines++
          const verdict = judge(line.text, line.truncated)
          if (verdict === "exact") tally.exact++
          else if (verdict === "truncated-prefix") tally.truncatedPrefixes++
          else {
            tally.fabricated++
            tally.firstFabricated ??= line.text.length > 120
              ? `${line.text.slice(0, 60)}…${line.text.slice(-60)}`
              : line.text
          }
        }
        return { kind: "slow", delay }
      }
    })
    return { url: `${server.url}/v1/job-logs`, received: () => ({ ...tally }) }
  })

/** The request body for a batch of lines. */
export const encode = (lines: ReadonlyArray<WireLine>): string =>
  JSON.stringify(
    lines.map((line) => ({ text: line.text, truncated: line.truncated }))
  )
