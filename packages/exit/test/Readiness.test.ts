/**
 * `Main.readinessApp`: answers from the run's shutdown state, as a fetch handler and over a real loopback
 * server during a grace period.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { makeCapturedLogs } from "@lifeline/test-kit"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { createServer } from "node:http"
import { Main } from "../src/index.ts"
import { resolve } from "../src/internal/options.ts"
import { Controller, currentShutdown, type ShutdownState } from "../src/internal/shutdown.ts"
import { supervise } from "../src/internal/supervise.ts"

interface Answer {
  readonly status: number
  readonly type: string | null
  readonly allow: string | null
  readonly text: string
}

/** `readinessApp` as a fetch handler whose requests see `state`. */
const handlerFor = (state: ShutdownState) =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const handler = HttpApp.toWebHandlerRuntime(runtime)(Main.readinessApp.pipe(Effect.locally(currentShutdown, state)))
    return (path: string, method = "GET"): Promise<Answer> =>
      handler(new Request(`http://127.0.0.1${path}`, { method })).then(async (response) => ({
        status: response.status,
        type: response.headers.get("content-type"),
        allow: response.headers.get("allow"),
        text: await response.text()
      }))
  })

describe("Main.readinessApp", () => {
  it.effect("GET /readyz is 200 until the shutdown starts, then 503", () =>
    Effect.gen(function* () {
      const state: ShutdownState = { started: false }
      const request = yield* handlerFor(state)
      const ready = yield* Effect.promise(() => request("/readyz"))
      expect(ready).toMatchObject({ status: 200, text: `{"ready":true}` })
      expect(ready.type).toContain("application/json")
      state.started = true
      expect(yield* Effect.promise(() => request("/readyz?probe=lb")))
        .toMatchObject({ status: 503, text: `{"ready":false}` })
    }))

  it.effect("HEAD /readyz answers the same status without a body", () =>
    Effect.gen(function* () {
      const state: ShutdownState = { started: false }
      const request = yield* handlerFor(state)
      expect(yield* Effect.promise(() => request("/readyz", "HEAD")))
        .toMatchObject({ status: 200, text: "" })
      state.started = true
      const head = yield* Effect.promise(() => request("/readyz", "HEAD"))
      expect(head).toMatchObject({ status: 503, text: "" })
      expect(head.type).toContain("application/json")
    }))

  it.effect("other methods get 405 with Allow: GET, HEAD; other paths 404", () =>
    Effect.gen(function* () {
      const request = yield* handlerFor({ started: false })
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const answer = yield* Effect.promise(() => request("/readyz", method))
        expect({ method, status: answer.status, allow: answer.allow }).toEqual({
          method,
          status: 405,
          allow: "GET, HEAD"
        })
      }
      for (const path of ["/", "/readyz/", "/readyzz", "/healthz", "/READYZ"]) {
        expect({ path, status: (yield* Effect.promise(() => request(path))).status }).toEqual({ path, status: 404 })
      }
    }))

  it.live("over a real loopback server, /readyz turns 503 the moment a signal arrives and stays up while draining", () =>
    Effect.gen(function* () {
      const controller = new Controller({ started: false })
      const address = yield* Deferred.make<number>()
      const drained = yield* Deferred.make<void>()
      const program = Effect.gen(function* () {
        yield* HttpServer.serveEffect(Main.readinessApp)
        yield* Effect.addFinalizer(() => Deferred.await(drained))
        const bound = (yield* HttpServer.HttpServer).address
        yield* Deferred.succeed(address, bound._tag === "TcpAddress" ? bound.port : 0)
        return yield* Effect.never
      }).pipe(Effect.scoped, Effect.provide(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))
      const options = Either.getOrThrow(resolve({ gracePeriod: "5 seconds" }))
      const run = yield* Effect.fork(supervise(program, options, controller))
      const port = yield* Deferred.await(address)
      const probe = () =>
        Effect.promise(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.text().then(() => r.status)))
      expect(yield* probe()).toBe(200)
      controller.signal("SIGTERM")
      const during = [yield* probe(), yield* probe(), yield* probe()]
      console.log("/readyz during the grace period:", during)
      expect(during).toEqual([503, 503, 503])
      yield* Deferred.succeed(drained, undefined)
      expect(yield* Fiber.join(run)).toMatchObject({ code: 0, reason: "signal", signal: "SIGTERM" })
    }).pipe(Effect.provide(makeCapturedLogs().replace)))
})
