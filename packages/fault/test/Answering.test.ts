/**
 * Whatever a reply function, a `flaky` rule or the runtime does while a request is answered, the client gets
 * an answer (a 500) or a reset, the request is recorded, and nothing escapes as an uncaught exception.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FaultServer } from "../src/index.ts"
import * as Adapter from "../src/internal/node.ts"
import { get, outcomeOfFetch } from "./helpers.ts"

describe("user callbacks that throw", () => {
  it.scopedLive("a reply function that throws gets a 500 naming the problem, recorded on the request", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({
        reply: () => {
          throw new Error("boom")
        }
      })
      const response = yield* get(server.url)
      expect(response.status).toBe(500)
      expect(response.body).toContain("boom")
      const [request] = (yield* FaultServer.stats(server)).requests
      expect(request?.reply).toBe("respond")
      expect(request?.error).toContain("boom")
    }))

  it.scopedLive("a reply function that throws a value that cannot be printed still gets a 500", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({
        reply: (request) => {
          if (request.path === "/bad") throw Object.create(null)
          return { kind: "respond", body: "fine" }
        }
      })
      const outcome = yield* outcomeOfFetch(`${server.url}/bad`)
      console.log("reply threw Object.create(null) → client saw", outcome)
      expect(outcome.startsWith("answered 500")).toBe(true)
      expect(yield* outcomeOfFetch(`${server.url}/good`)).toBe("answered 200 fine")
      expect((yield* FaultServer.stats(server)).requests[0]?.error).toBeDefined()
    }))

  it.scopedLive("a reply whose fields throw when read gets a 500, like a function that throws", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({
        reply: () => ({
          get kind(): "respond" {
            throw new Error("getter broke")
          }
        })
      })
      const outcome = yield* outcomeOfFetch(server.url)
      expect(outcome.startsWith("answered 500")).toBe(true)
      expect(outcome).toContain("getter broke")
    }))

  it.scopedLive("a flaky rule that throws answers 500 naming the problem, and the server keeps serving", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.flaky({
        when: (request) => {
          if (request.path === "/bad") throw new Error("rule broke")
          return false
        },
        fault: { kind: "reset" }
      })
      const bad = yield* get(`${server.url}/bad`)
      expect(bad.status).toBe(500)
      expect(bad.body).toContain("rule broke")
      expect(yield* get(`${server.url}/good`)).toEqual({ status: 200, body: "ok" })
      const stats = yield* FaultServer.stats(server)
      expect(stats.requests.map((r) => r.error === undefined)).toEqual([false, true])
    }))

  it.scopedLive("a reply whose header is not valid HTTP gets a 500 naming it, never a hanging client", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({
        reply: (request) =>
          request.path === "/bad"
            ? { kind: "respond", headers: { "bad header": "x" } }
            : { kind: "respond", headers: { "x-ok": "1" } }
      })
      const outcome = yield* outcomeOfFetch(`${server.url}/bad`)
      console.log('reply with header "bad header" → client saw', outcome)
      expect(outcome.startsWith("answered 500")).toBe(true)
      expect(outcome).toContain("bad header")
      expect(yield* outcomeOfFetch(`${server.url}/good`)).toBe("answered 200 ok")
    }))

  it.scopedLive("a reply whose body is neither text nor bytes gets a 500 naming it", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({ reply: () => ({ kind: "respond", body: 42 as never }) })
      const outcome = yield* outcomeOfFetch(server.url)
      expect(outcome.startsWith("answered 500")).toBe(true)
      expect(outcome).toContain("reply.body")
    }))
})

describe("a failure while answering", () => {
  const listen = (onRequest: (request: Adapter.RawRequest) => void) =>
    Effect.acquireRelease(
      Effect.promise(() => Adapter.listenHttp({ host: "127.0.0.1", port: 0, onSocket: () => {}, onRequest })),
      (listening) => Effect.promise(() => listening.close())
    )

  it.scopedLive("a response the runtime refuses to write resets the connection at once", () =>
    Effect.gen(function* () {
      const listening = yield* listen((request) => request.respond(200, { "bad header": "x" }, "x"))
      const start = Date.now()
      const outcome = yield* outcomeOfFetch(`http://127.0.0.1:${listening.port}/`)
      console.log("unwritable response → client saw", outcome, "after", Date.now() - start, "ms")
      expect(outcome).toBe("ECONNRESET")
    }))

  it.scopedLive("a request handler that throws resets the connection at once", () =>
    Effect.gen(function* () {
      const listening = yield* listen(() => {
        throw new Error("handler broke")
      })
      const outcome = yield* outcomeOfFetch(`http://127.0.0.1:${listening.port}/`)
      expect(outcome).toBe("ECONNRESET")
    }))
})

describe("long delays", () => {
  it.scopedLive("a delay longer than a runtime timer can wait (30 days) does not answer at once", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.slow({ delay: "30 days" })
      const outcome = yield* outcomeOfFetch(server.url, 300)
      expect(outcome).toBe("no answer")
      const reply = yield* FaultServer.http({ reply: { kind: "slow", delay: "25 days" } })
      expect(yield* outcomeOfFetch(reply.url, 300)).toBe("no answer")
      expect((yield* FaultServer.stats(reply)).requests[0]?.reply).toBe("slow")
    }))
})
