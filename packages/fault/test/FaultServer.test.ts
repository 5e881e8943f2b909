/**
 * The fault servers, specified against real loopback sockets and real time (this package is about I/O).
 * Bounds are generous and measured values are printed.
 */
import { describe, expect, it } from "@effect/vitest"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Duration, Effect, Either, Exit, Scope } from "effect"
import * as Net from "node:net"
import { FaultServer } from "../src/index.ts"
import { connect, connectError, get, outcomeOf, outcomeOfFetch } from "./helpers.ts"

describe("FaultServer.ok", () => {
  it.scopedLive("answers 200 with the configured body and records the request", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.ok({ body: "pong" })
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(server.host).toBe("127.0.0.1")

      const response = yield* get(`${server.url}/ping?x=1`, { method: "POST", body: "hello" })
      expect(response).toEqual({ status: 200, body: "pong" })

      const stats = yield* FaultServer.stats(server)
      expect(stats.opened).toBe(1)
      expect(stats.requests).toHaveLength(1)
      expect(stats.requests[0]).toMatchObject({
        index: 0,
        connection: 1,
        method: "POST",
        path: "/ping?x=1",
        bodyBytes: 5,
        body: undefined,
        reply: "respond"
      })
      expect(stats.bytesReceived).toBeGreaterThan(5)
      console.log("ok: bytes received for one small POST", stats.bytesReceived)
    }))

  it.scopedLive("answers an error status with a default body naming it", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.ok({ status: 503 })
      expect(yield* get(server.url)).toEqual({ status: 503, body: "status 503" })
    }))
})

describe("FaultServer.http", () => {
  it.scopedLive("a reply function decides per request and can echo the body", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({
        recordBodies: true,
        reply: (request) =>
          request.path === "/echo"
            ? { kind: "respond", body: request.body, headers: { "x-index": String(request.index) } }
            : { kind: "respond", status: 404 }
      })
      const echoed = yield* Effect.promise(async () => {
        const response = await fetch(`${server.url}/echo`, { method: "PUT", body: "round trip" })
        return { status: response.status, index: response.headers.get("x-index"), body: await response.text() }
      })
      expect(echoed).toEqual({ status: 200, index: "0", body: "round trip" })
      expect((yield* get(`${server.url}/other`)).status).toBe(404)

      const stats = yield* FaultServer.stats(server)
      expect(new TextDecoder().decode(stats.requests[0]?.body)).toBe("round trip")
      expect(stats.requests.map((r) => r.method)).toEqual(["PUT", "GET"])
    }))
})

describe("FaultServer.silent", () => {
  it.scopedLive("never answers, counts the request, and records the client's abort as a close", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.silent()
      const controller = new AbortController()
      const pending = fetch(`${server.url}/sweep`, { signal: controller.signal }).then(
        () => "answered",
        () => "aborted"
      )

      const request = yield* FaultServer.awaitRequest(server)
      expect(request.path).toBe("/sweep")
      expect(request.reply).toBe("silent")

      // Give a misbehaving server every chance to answer before the client gives up.
      yield* Effect.sleep("200 millis")
      const before = yield* FaultServer.stats(server)
      expect(before.open).toBe(1)
      expect(before.closed).toBe(0)

      const abortedAt = Date.now()
      controller.abort()
      const closedAt = yield* FaultServer.awaitClose(server).pipe(Effect.timeout("1 second"))
      expect(yield* Effect.promise(() => pending)).toBe("aborted")

      const after = yield* FaultServer.stats(server)
      expect(after.closed).toBe(1)
      expect(after.connections[0]?.closedBy).toBe("client")
      expect(after.connections[0]?.closedAt).toBe(closedAt)
      expect(closedAt - abortedAt).toBeGreaterThanOrEqual(0)
      expect(closedAt - abortedAt).toBeLessThan(500)
      console.log("silent: abort → server saw close after", closedAt - abortedAt, "ms")
    }))
})

describe("FaultServer.blackhole", () => {
  it.scopedLive("accepts but never reads: a client writing megabytes is stuck with them", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.blackhole()
      const socket = yield* Effect.promise(() => connect(server.port))
      yield* Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))
      const opened = yield* FaultServer.awaitConnection(server)
      expect(opened.id).toBe(1)

      const chunk = new Uint8Array(1 << 20)
      const total = 16 * chunk.byteLength
      let refused = 0
      for (let i = 0; i < 16; i++) if (!socket.write(chunk)) refused++
      let drained = false
      socket.once("drain", () => {
        drained = true
      })
      yield* Effect.sleep("300 millis")

      const stats = yield* FaultServer.stats(server)
      console.log(
        "blackhole: wrote",
        total,
        "bytes; write() returned false",
        refused,
        "times; still queued in the client",
        socket.writableLength,
        "; server received",
        stats.bytesReceived
      )
      expect(refused).toBeGreaterThan(0)
      expect(drained).toBe(false)
      expect(socket.writableLength).toBeGreaterThan(total / 2)
      expect(stats.bytesReceived).toBe(0)
      expect(stats.opened).toBe(1)
    }))

  it.scopedLive("afterBytes: reads the first bytes of a connection, then stops reading", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.blackhole({ afterBytes: 10_000 })
      const socket = yield* Effect.promise(() => connect(server.port))
      yield* Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))
      const total = 16 << 20
      for (let sent = 0; sent < total; sent += 1 << 20) socket.write(new Uint8Array(1 << 20))
      yield* Effect.sleep("300 millis")
      const stats = yield* FaultServer.stats(server)
      console.log(
        "blackhole afterBytes 10000: server read",
        stats.bytesReceived,
        "; client still holds",
        socket.writableLength
      )
      expect(stats.bytesReceived).toBeGreaterThanOrEqual(10_000)
      expect(stats.bytesReceived).toBeLessThan(1 << 20)
      expect(socket.writableLength).toBeGreaterThan(total / 2)
    }))

  it.scopedLive("an HTTP client gets no answer", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.blackhole()
      const outcome = yield* Effect.promise((signal) => fetch(server.url, { signal })).pipe(
        Effect.as("answered"),
        Effect.timeoutTo({ duration: "300 millis", onTimeout: () => "no answer", onSuccess: (a) => a })
      )
      expect(outcome).toBe("no answer")
      expect((yield* FaultServer.stats(server)).opened).toBe(1)
    }))
})

describe("FaultServer.slow", () => {
  it.scopedLive("delays each response by the configured time", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.slow({ delay: "300 millis", body: "late" })
      const [elapsed, response] = yield* get(server.url).pipe(Effect.timed)
      const ms = Duration.toMillis(elapsed)
      console.log("slow: 300 ms delay answered after", ms, "ms")
      expect(response).toEqual({ status: 200, body: "late" })
      expect(ms).toBeGreaterThanOrEqual(280)
      expect(ms).toBeLessThan(1500)
      expect((yield* FaultServer.stats(server)).requests[0]?.reply).toBe("slow")
    }))

  it.scopedLive("a pending slow response is dropped when the scope closes, not sent later", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const server = yield* FaultServer.slow({ delay: "10 seconds" }).pipe(Scope.extend(scope))
      const pending = fetch(server.url).then((r) => `answered ${r.status}`, () => "failed")
      yield* FaultServer.awaitRequest(server)
      const [elapsed] = yield* Scope.close(scope, Exit.void).pipe(Effect.timed)
      expect(yield* Effect.promise(() => pending)).toBe("failed")
      console.log("slow: scope close with a pending response took", Duration.toMillis(elapsed), "ms")
      expect(Duration.toMillis(elapsed)).toBeLessThan(1000)
    }))
})

describe("FaultServer.reset", () => {
  it.scopedLive("resets on the first data: the client sees ECONNRESET", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.reset()
      const socket = yield* Effect.promise(() => connect(server.port))
      const outcome = outcomeOf(socket)
      socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
      expect(yield* Effect.promise(() => outcome)).toBe("ECONNRESET")
      yield* FaultServer.awaitClose(server)
      const stats = yield* FaultServer.stats(server)
      expect(stats.connections[0]?.closedBy).toBe("server")
      expect(stats.bytesReceived).toBeGreaterThan(0)
    }))

  it.scopedLive("an HTTP request to it fails with ECONNRESET", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.reset()
      const failure = yield* outcomeOfFetch(server.url)
      console.log("reset: fetch failed with", failure)
      expect(failure).toBe("ECONNRESET")
    }))

  it.scopedLive("waits for afterBytes before resetting", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.reset({ afterBytes: 2000 })
      const socket = yield* Effect.promise(() => connect(server.port))
      const outcome = outcomeOf(socket)
      socket.write(new Uint8Array(1000))
      yield* Effect.sleep("150 millis")
      expect((yield* FaultServer.stats(server)).open).toBe(1)
      socket.write(new Uint8Array(1000))
      expect(yield* Effect.promise(() => outcome)).toBe("ECONNRESET")
      yield* FaultServer.awaitClose(server)
      expect((yield* FaultServer.stats(server)).bytesReceived).toBe(2000)
    }))

  it.scopedLive("afterBytes 0 resets every connection as it is accepted", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.reset({ afterBytes: 0 })
      // The RST may even beat the client's own "connected" event.
      const outcome = yield* Effect.promise(() => outcomeOf(Net.connect({ port: server.port, host: "127.0.0.1" })))
      expect(outcome).toBe("ECONNRESET")
      expect((yield* FaultServer.stats(server)).bytesReceived).toBe(0)
    }))
})

describe("FaultServer.flaky", () => {
  it.scopedLive("every: n faults the n-th, 2n-th … requests", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.flaky({ every: 3, fault: { kind: "respond", status: 500 } })
      const statuses: Array<number> = []
      for (let i = 0; i < 6; i++) statuses.push((yield* get(server.url)).status)
      expect(statuses).toEqual([200, 200, 500, 200, 200, 500])
    }))

  it.scopedLive("first: n faults the first n requests, then behaves", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.flaky({
        first: 2,
        fault: { kind: "reset" },
        otherwise: { kind: "respond", body: "up" }
      })
      const first = yield* outcomeOfFetch(server.url)
      const second = yield* outcomeOfFetch(server.url)
      const third = yield* get(server.url)
      console.log("flaky first:2 reset →", first, second, third.status)
      expect(first).toBe("ECONNRESET")
      expect(second).toBe("ECONNRESET")
      expect(third).toEqual({ status: 200, body: "up" })
      expect((yield* FaultServer.stats(server)).requests.map((r) => r.reply)).toEqual(["reset", "reset", "respond"])
    }))

  it.scopedLive("when: a predicate over the request picks the faulted ones (silent and slow)", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.flaky({
        when: (request) => request.path === "/hang",
        fault: { kind: "silent" },
        otherwise: { kind: "slow", delay: "50 millis" }
      })
      expect((yield* get(`${server.url}/fine`)).status).toBe(200)
      const hung = yield* Effect.promise((signal) => fetch(`${server.url}/hang`, { signal })).pipe(
        Effect.as("answered"),
        Effect.timeoutTo({ duration: "300 millis", onTimeout: () => "no answer", onSuccess: (a) => a })
      )
      expect(hung).toBe("no answer")
      const stats = yield* FaultServer.stats(server)
      expect(stats.requests.map((r) => [r.path, r.reply])).toEqual([["/fine", "slow"], ["/hang", "silent"]])
    }))
})

describe("FaultServer.refused", () => {
  it.live("gives a loopback port where a connection is refused", () =>
    Effect.gen(function* () {
      const nobody = yield* FaultServer.refused()
      expect(nobody.port).toBeGreaterThan(0)
      expect(nobody.url).toBe(`http://127.0.0.1:${nobody.port}`)
      expect(yield* Effect.promise(() => connectError(nobody.port))).toBe("ECONNREFUSED")
      expect(yield* outcomeOfFetch(nobody.url)).toBe("ECONNREFUSED")
    }))
})

describe("with an Effect HttpClient", () => {
  const clients = [
    ["FetchHttpClient", FetchHttpClient.layer],
    ["NodeHttpClient (node:http)", NodeHttpClient.layer]
  ] as const
  for (const [name, layer] of clients) {
    it.scopedLive(`${name}: a timed-out request against a silent server releases its socket`, () =>
      Effect.gen(function* () {
        const server = yield* FaultServer.silent()
        const client = yield* HttpClient.HttpClient
        const result = yield* client.get(`${server.url}/sweep`).pipe(Effect.timeout("200 millis"), Effect.either)
        const firedAt = Date.now()
        expect(Either.isLeft(result) && result.left._tag).toBe("TimeoutException")
        const closedAt = yield* FaultServer.awaitClose(server).pipe(Effect.timeout("1 second"))
        console.log(`${name}: timeout fired → server saw the socket close after`, closedAt - firedAt, "ms")
        expect(closedAt - firedAt).toBeLessThan(500)
        const stats = yield* FaultServer.stats(server)
        expect(stats.requests.map((r) => r.path)).toEqual(["/sweep"])
        expect(stats.connections[0]?.closedBy).toBe("client")
      }).pipe(Effect.provide(layer)))
  }
})

describe("awaiting events", () => {
  it.scopedLive("awaitClose(n) returns the time of the n-th close, in order", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.silent()
      const a = yield* Effect.promise(() => connect(server.port))
      const b = yield* Effect.promise(() => connect(server.port))
      yield* FaultServer.awaitConnection(server, 2)
      const second = yield* Effect.fork(server.pipe(FaultServer.awaitClose(2)))
      a.destroy()
      const first = yield* FaultServer.awaitClose(server, 1)
      yield* Effect.sleep("50 millis")
      b.destroy()
      const secondAt = yield* second
      expect(secondAt).toBeGreaterThanOrEqual(first + 40)
      const stats = yield* FaultServer.stats(server)
      expect(stats.connections.map((c) => c.closedBy)).toEqual(["client", "client"])
    }))
})
