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

// ---------------------------------------------------------------------------------------------
// client helpers (the test's side of the socket)

const connect = (port: number, host = "127.0.0.1"): Promise<Net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host })
    socket.once("connect", () => {
      socket.off("error", reject)
      resolve(socket)
    })
    socket.once("error", reject)
  })

/**
 * Resolves with the error code the socket ends with, or "closed" for a clean close. It reads (and
 * drops) what arrives: a socket that is not read never sees the peer's FIN.
 */
const outcomeOf = (socket: Net.Socket): Promise<string> =>
  new Promise((resolve) => {
    socket.resume()
    let code = "closed"
    socket.on("error", (error: NodeJS.ErrnoException) => {
      code = error.code ?? error.message
    })
    socket.once("close", () => resolve(code))
  })

const connectError = (port: number): Promise<string> =>
  connect(port).then(
    (socket) => {
      socket.destroy()
      return "connected"
    },
    (error: NodeJS.ErrnoException) => error.code ?? error.message
  )

const get = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, body: await response.text() }
  })

/**
 * What a failed fetch saw at the socket level, as an errno code. Node's fetch (undici) puts the code
 * in `cause`; Deno's fetch only words it in the message.
 */
const fetchFailure = (url: string) =>
  Effect.promise(() =>
    fetch(url).then(
      (response) => `answered ${response.status}`,
      (error: { message?: string; cause?: { code?: string; message?: string } }) => {
        const text = `${error.cause?.code ?? ""} ${error.cause?.message ?? ""} ${error.message ?? ""}`
        if (/ECONNREFUSED|connection refused/i.test(text)) return "ECONNREFUSED"
        if (/ECONNRESET|reset by peer|other side closed|socket hang up/i.test(text)) return "ECONNRESET"
        return text
      }
    )
  )

// ---------------------------------------------------------------------------------------------

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

  it.scopedLive("a reply function that throws gets a 500 naming the problem", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.http({
        reply: () => {
          throw new Error("boom")
        }
      })
      const response = yield* get(server.url)
      expect(response.status).toBe(500)
      expect(response.body).toContain("boom")
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
      const failure = yield* fetchFailure(server.url)
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
      const first = yield* fetchFailure(server.url)
      const second = yield* fetchFailure(server.url)
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

  it.scopedLive("a rule that throws answers 500 naming the problem, and the server keeps serving", () =>
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
    }))
})

describe("FaultServer.refused", () => {
  it.live("gives a loopback port where a connection is refused", () =>
    Effect.gen(function* () {
      const nobody = yield* FaultServer.refused()
      expect(nobody.port).toBeGreaterThan(0)
      expect(nobody.url).toBe(`http://127.0.0.1:${nobody.port}`)
      expect(yield* Effect.promise(() => connectError(nobody.port))).toBe("ECONNREFUSED")
      expect(yield* fetchFailure(nobody.url)).toBe("ECONNREFUSED")
    }))
})

describe("scope", () => {
  it.live("closing the scope frees the port and closes the sockets clients still hold", () =>
    Effect.gen(function* () {
      for (
        const make of [
          FaultServer.silent(),
          FaultServer.blackhole(),
          FaultServer.ok(),
          FaultServer.reset({ afterBytes: 1_000_000 })
        ]
      ) {
        const scope = yield* Scope.make()
        const server = yield* make.pipe(Scope.extend(scope))
        const socket = yield* Effect.promise(() => connect(server.port))
        const outcome = outcomeOf(socket)
        yield* FaultServer.awaitConnection(server)
        const [elapsed] = yield* Scope.close(scope, Exit.void).pipe(Effect.timed)
        const clientSaw = yield* Effect.promise(() => outcome)
        const afterwards = yield* Effect.promise(() => connectError(server.port))
        console.log(server.fault, ": scope closed in", Duration.toMillis(elapsed), "ms; client saw", clientSaw)
        expect(afterwards).toBe("ECONNREFUSED")
        expect(Duration.toMillis(elapsed)).toBeLessThan(1000)
        const stats = server.unsafeStats()
        expect(stats.open).toBe(0)
        expect(stats.connections[0]?.closedBy).toBe("server")
      }
    }))
})

/** Handles that keep an event loop alive, by kind (Node and Deno both implement this). */
const liveHandles = (): Record<string, number> => {
  const counts: Record<string, number> = { TCPServerWrap: 0, TCPSocketWrap: 0, Timeout: 0 }
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind]!++
  return counts
}

const exceeds = (now: Record<string, number>, baseline: Record<string, number>): boolean =>
  Object.keys(baseline).some((kind) => now[kind]! > baseline[kind]!)

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

describe("no leaks", () => {
  it.live("after the scope closes no listener, socket or timer of any server is left", () =>
    Effect.gen(function* () {
      const baseline = liveHandles()
      const outcomes: Array<Promise<string>> = []
      const scope = yield* Scope.make()
      const servers = [
        yield* FaultServer.blackhole().pipe(Scope.extend(scope)),
        yield* FaultServer.silent().pipe(Scope.extend(scope)),
        yield* FaultServer.slow({ delay: "1 hour" }).pipe(Scope.extend(scope)),
        yield* FaultServer.ok().pipe(Scope.extend(scope)),
        yield* FaultServer.reset({ afterBytes: 1_000_000 }).pipe(Scope.extend(scope)),
        yield* FaultServer.flaky({ every: 2, fault: { kind: "silent" } }).pipe(Scope.extend(scope))
      ]
      for (const server of servers) {
        const socket = yield* Effect.promise(() => connect(server.port))
        outcomes.push(outcomeOf(socket))
        socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        yield* FaultServer.awaitConnection(server)
      }
      // a request waiting for its slow answer holds a server-side timer
      yield* FaultServer.awaitRequest(servers[2]!)
      const during = liveHandles()
      expect(exceeds(during, baseline)).toBe(true)

      yield* Scope.close(scope, Exit.void)
      yield* Effect.promise(() => Promise.all(outcomes))
      const start = Date.now()
      let now = liveHandles()
      while (exceeds(now, baseline) && Date.now() - start < 1000) {
        yield* Effect.sleep("10 millis")
        now = liveHandles()
      }
      console.log(
        "no leaks: during",
        during,
        "after",
        now,
        "baseline",
        baseline,
        "settled in",
        Date.now() - start,
        "ms"
      )
      // Earlier tests' clients may still be winding down, so the count may even drop below the baseline.
      expect(exceeds(now, baseline)).toBe(false)
    }))
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

  it.effect("waiting for the 0th event is a defect", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.silent()
      const exit = yield* Effect.exit(FaultServer.awaitClose(server, 0))
      expect(Exit.isFailure(exit) && !Exit.isInterrupted(exit)).toBe(true)
    }).pipe(Effect.scoped))
})

describe("options are validated", () => {
  const cases: ReadonlyArray<[string, Effect.Effect<unknown, FaultServer.InvalidOptions, Scope.Scope>, string]> = [
    ["port -1", FaultServer.ok({ port: -1 }), "port"],
    ["port 70000", FaultServer.silent({ port: 70000 }), "port"],
    ["port 1.5", FaultServer.blackhole({ port: 1.5 }), "port"],
    ["empty host", FaultServer.ok({ host: "" }), "host"],
    ["negative delay", FaultServer.slow({ delay: -5 }), "slow.delay"],
    ["NaN delay", FaultServer.slow({ delay: Number.NaN }), "slow.delay"],
    ["infinite delay", FaultServer.slow({ delay: Duration.infinity }), "slow.delay"],
    ["status 99", FaultServer.ok({ status: 99 }), "ok.status"],
    ["every 0", FaultServer.flaky({ every: 0, fault: { kind: "reset" } }), "every"],
    ["first 1.5", FaultServer.flaky({ first: 1.5, fault: { kind: "reset" } }), "first"],
    ["two rules", FaultServer.flaky({ every: 2, first: 1, fault: { kind: "reset" } }), "every|first|when"],
    ["no rule", FaultServer.flaky({ fault: { kind: "reset" } }), "every|first|when"],
    ["fault status 700", FaultServer.flaky({ every: 2, fault: { kind: "respond", status: 700 } }), "fault.status"],
    ["afterBytes -1", FaultServer.reset({ afterBytes: -1 }), "afterBytes"],
    ["afterBytes NaN", FaultServer.reset({ afterBytes: Number.NaN }), "afterBytes"],
    ["blackhole afterBytes 0.5", FaultServer.blackhole({ afterBytes: 0.5 }), "afterBytes"],
    ["reply delay -1", FaultServer.http({ reply: { kind: "slow", delay: "-1 millis" } }), "reply.delay"]
  ]
  for (const [name, make, option] of cases) {
    it.effect(`${name} fails with InvalidOptions naming ${option}`, () =>
      Effect.gen(function* () {
        const result = yield* Effect.either(Effect.scoped(make))
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) {
          expect(result.left).toBeInstanceOf(FaultServer.InvalidOptions)
          expect(result.left._tag).toBe("InvalidOptions")
          expect(result.left.option).toBe(option)
          expect(result.left.message).toContain(option)
        }
      }))
  }

  it.effect("every form of a valid delay is accepted", () =>
    Effect.gen(function* () {
      const delays: ReadonlyArray<Duration.DurationInput> = [
        0,
        "10 nanos",
        "5 millis",
        Duration.millis(5),
        [0, 5_000],
        BigInt(1_000)
      ]
      for (const delay of delays) {
        const server = yield* FaultServer.slow({ delay })
        expect(server.fault).toBe("slow")
      }
    }).pipe(Effect.scoped))

  it.effect("the message names the bad value", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(FaultServer.ok({ port: 70000 })))
      expect(error.message).toBe("port: must be an integer from 0 (any free port) to 65535 (got 70000)")
    }))
})
