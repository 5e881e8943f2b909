/**
 * The runner's `/healthz`, served over real HTTP on loopback, and the probe that watches it the way a
 * kubelet liveness probe would: a GET every `every`, bounded by `timeout`, any 2xx/3xx counting as alive.
 * The probe records every answer so the replay can say what the platform would have concluded.
 */
import { HttpClient } from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Duration, Effect, Schedule } from "effect"
import type { Scope } from "effect"
import * as http from "node:http"
import * as Environment from "../shared/Environment.ts"

/**
 * Serves `app` for the life of the scope, by default on an ephemeral loopback port (in a pod: `0.0.0.0:8080`);
 * returns the base URL this process reaches it at.
 */
export const serve = (
  app: HttpApp.Default<unknown>,
  listen: { readonly host: string; readonly port: number } = { host: "127.0.0.1", port: 0 }
): Effect.Effect<string, Environment.EnvironmentError, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* NodeHttpServer.make(() => http.createServer(), listen)
    yield* server.serve(app)
    const address = server.address
    if (address._tag !== "TcpAddress") {
      return yield* Effect.dieMessage("expected a TCP address")
    }
    const host = listen.host === "0.0.0.0" ? "127.0.0.1" : listen.host
    return `http://${host}:${address.port}`
  }).pipe(Environment.ready({ part: "the /healthz server", within: "10 seconds" }))

export interface Observation {
  /** Milliseconds since the replay started. */
  readonly atMs: number
  /** HTTP status, or `"timeout"` / `"error"` when no answer came. */
  readonly status: number | "timeout" | "error"
  readonly body: string
}

export class ProbeLog {
  readonly seen: Array<Observation> = []
  /** Told of each answer as the probe records it. */
  onSeen: (observation: Observation) => void = () => {}

  /** Count of each status seen at or after `sinceMs`. */
  counts(sinceMs = 0): Record<string, number> {
    const out: Record<string, number> = {}
    for (const o of this.seen) {
      if (o.atMs >= sinceMs) {
        out[String(o.status)] = (out[String(o.status)] ?? 0) + 1
      }
    }
    return out
  }

  /** The first answer with `status` at or after `sinceMs`. */
  first(status: number, sinceMs = 0): Observation | undefined {
    return this.seen.find((o) => o.atMs >= sinceMs && o.status === status)
  }
}

/** Polls `url` on a schedule in a fiber of the current scope. `now` gives the replay's clock. */
export const probe = (
  url: string,
  log: ProbeLog,
  now: () => number,
  options: { readonly every: Duration.DurationInput; readonly timeout: Duration.DurationInput }
): Effect.Effect<void, Environment.EnvironmentError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const seen = (status: Observation["status"], body = ""): Observation => ({ atMs: now(), status, body })
    const once = client.get(url).pipe(
      Effect.flatMap((response) => Effect.map(response.text, (body) => seen(response.status, body))),
      Effect.timeoutTo({
        duration: Duration.decode(options.timeout),
        onSuccess: (o) => o,
        onTimeout: () => seen("timeout")
      }),
      Effect.catchAll(() => Effect.succeed(seen("error"))),
      Effect.tap((o) =>
        Effect.sync(() => {
          log.seen.push(o)
          log.onSeen(o)
        })
      )
    )
    // One unrecorded probe first, so the server is known to answer and the client's code paths are warm
    // before the replay's clock starts.
    yield* client.get(url).pipe(
      Effect.flatMap((response) => response.text),
      Environment.ready({ part: "the /healthz server", within: "10 seconds" })
    )
    yield* Effect.forkScoped(Effect.repeat(once, Schedule.spaced(options.every)))
  })
