/**
 * The alert API the patrol agent collects from: a `@lifeline/fault` flaky server that answers most requests
 * with the firing alerts and, by a fixed rule, reads some and never answers them — the half-open connection
 * of incident 001, on loopback.
 */
import { FaultServer } from "@lifeline/fault"
import { Effect } from "effect"
import type { Scope } from "effect"
import * as Environment from "../shared/Environment.ts"

export interface AlertApi {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Requests received so far (answered or not). */
  readonly requests: () => number
  /** Requests read and deliberately left unanswered. */
  readonly unanswered: () => number
}

export interface Options {
  /** Picks, by request number (1-based), the requests that are read and never answered. */
  readonly silentWhen: (request: number) => boolean
}

const firing = {
  alerts: [
    { id: "a-1", name: "KubePodCrashLooping", severity: "warning" },
    { id: "a-2", name: "NodeDiskPressure", severity: "critical" }
  ]
}

/** Starts the API on an ephemeral loopback port for the life of the scope. */
export const start = (
  options: Options
): Effect.Effect<AlertApi, Environment.EnvironmentError, Scope.Scope> =>
  Effect.map(
    FaultServer.flaky({
      when: (request) => options.silentWhen(request.index + 1),
      fault: { kind: "silent" },
      otherwise: {
        kind: "respond",
        body: JSON.stringify(firing),
        headers: { "content-type": "application/json" }
      }
    }),
    (server) => ({
      url: server.url,
      requests: () => server.unsafeStats().requests.length,
      unanswered: () =>
        server.unsafeStats().requests.filter((r) => r.reply === "silent")
          .length
    })
  ).pipe(Environment.ready({ part: "the alert API", within: "10 seconds" }))
