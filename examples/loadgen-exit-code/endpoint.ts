/**
 * The chain's RPC endpoint the load generator sends to, on loopback, from `@lifeline/fault`:
 *
 * - `ok`: `FaultServer.http` accepting every transaction (`POST /tx`) and answering `GET /block` with the
 *   chain's height, one block every 100 ms;
 * - `refused`: `FaultServer.refused()`, a port with nothing listening (an RPC node that is down).
 */
import { FaultServer } from "@lifeline/fault"
import { Effect, type Scope } from "effect"
import * as Environment from "../shared/Environment.ts"

export type Kind = "ok" | "refused"

export const kinds: ReadonlyArray<Kind> = ["ok", "refused"]

export interface Endpoint {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Requests received so far. */
  readonly requests: () => number
}

const blockTimeMs = 100

const healthy: Effect.Effect<Endpoint, FaultServer.InvalidOptions, Scope.Scope> = Effect.suspend(() => {
  const started = performance.now()
  return FaultServer.http({
    reply: (request) =>
      request.path === "/block"
        ? {
          kind: "respond",
          body: JSON.stringify({ height: Math.floor((performance.now() - started) / blockTimeMs) }),
          headers: { "content-type": "application/json" }
        }
        : { kind: "respond", body: `{"accepted":true}`, headers: { "content-type": "application/json" } }
  })
}).pipe(Effect.map((server) => ({ url: server.url, requests: () => server.unsafeStats().requests.length })))

const down: Effect.Effect<Endpoint, FaultServer.InvalidOptions> = Effect.map(
  FaultServer.refused(),
  (endpoint) => ({ url: endpoint.url, requests: () => 0 })
)

/** Starts the endpoint for the life of the scope. */
export const start = (kind: Kind): Effect.Effect<Endpoint, Environment.EnvironmentError, Scope.Scope> =>
  (kind === "ok" ? healthy : down).pipe(Environment.ready({ part: "the RPC endpoint", within: "10 seconds" }))
