/**
 * Real sockets, real time: a loopback HTTP server that reads each request and never answers. The deadline
 * must fail the call at its budget AND the server must see the connection closed right after, which is what
 * releases the socket in production.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, type Layer, Option } from "effect"
import { Deadline } from "@lifeline/deadline"
import { FaultServer } from "@lifeline/fault"

const budgetMs = 300

const measure = <A, E>(call: (url: string) => Effect.Effect<A, E>, name: string) =>
  Effect.gen(function* () {
    const server = yield* FaultServer.silent()
    const started = Date.now()
    const exit = yield* Effect.exit(call(`${server.url}/alerts`))
    const failedAt = Date.now()
    const closedAt = yield* FaultServer.awaitClose(server).pipe(Effect.timeout("5 seconds"))
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    const request = yield* FaultServer.stats(server)
    console.log(
      `${name}: failed after ${failedAt - started} ms (budget ${budgetMs} ms); server saw the socket closed ${
        closedAt - failedAt
      } ms after the failure; requests received: ${request.requests.length}`
    )
    return { error, elapsed: failedAt - started, closeLatency: closedAt - failedAt, requests: request.requests.length }
  })

describe("deadline against a server that never answers", () => {
  it.live("tryPromise(fetch) fails at the budget and the socket is closed right after", () =>
    Effect.gen(function* () {
      const r = yield* measure(
        (url) =>
          Deadline.tryPromise((signal) => fetch(url, { signal }), { budget: `${budgetMs} millis`, label: "fetch" }),
        "tryPromise(fetch)"
      )
      expect(r.error).toBeInstanceOf(Deadline.DeadlineExceeded)
      expect(r.requests).toBe(1)
      expect(r.elapsed).toBeGreaterThanOrEqual(budgetMs - 5)
      expect(r.elapsed).toBeLessThan(budgetMs + 1500)
      expect(r.closeLatency).toBeLessThan(1000)
    }).pipe(Effect.scoped))

  const clients = [
    ["FetchHttpClient", FetchHttpClient.layer],
    ["NodeHttpClient", NodeHttpClient.layerUndici]
  ] as const

  for (const [name, layer] of clients) {
    it.live(`Deadline.httpClient over ${name} fails at the budget and the socket is closed right after`, () =>
      Effect.gen(function* () {
        const client = Deadline.httpClient(yield* HttpClient.HttpClient, { budget: `${budgetMs} millis` })
        const r = yield* measure((url) => client.get(url), `Deadline.httpClient(${name})`)
        expect(r.error).toBeInstanceOf(Deadline.DeadlineExceeded)
        expect(r.elapsed).toBeGreaterThanOrEqual(budgetMs - 5)
        expect(r.elapsed).toBeLessThan(budgetMs + 1500)
        expect(r.closeLatency).toBeLessThan(1000)
      }).pipe(Effect.scoped, Effect.provide(layer as Layer.Layer<HttpClient.HttpClient>)))
  }

  it.live("the pitfall: Effect.timeout around tryPromise(() => fetch(url)) leaves the socket open", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.silent()
      const exit = yield* Effect.exit(
        Effect.tryPromise(() => fetch(`${server.url}/alerts`)).pipe(Effect.timeout(`${budgetMs} millis`))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const closed = yield* FaultServer.awaitClose(server).pipe(Effect.timeout("500 millis"), Effect.option)
      const stats = yield* FaultServer.stats(server)
      console.log(
        `Effect.timeout + tryPromise(() => fetch): connections still open 500 ms after the timeout: ${stats.open}`
      )
      expect(Option.isNone(closed)).toBe(true)
      expect(stats.open).toBe(1)
    }).pipe(Effect.scoped))
})
