/**
 * The code of the `@lifeline/fault` guide (`docs/guide/fault.md`), one region per snippet. The file is
 * typechecked with the project, so the guide cannot drift from the API.
 */
// #region import
import { FaultServer } from "@lifeline/fault"
// #endregion import
import { Deadline } from "@lifeline/deadline"
import { Effect } from "effect"

// #region silent
export const releaseLatency = Effect.gen(function* () {
  const server = yield* FaultServer.silent() // reads the request, never answers
  const controller = new AbortController()
  fetch(`${server.url}/sweep`, { signal: controller.signal }).catch(() => undefined)
  yield* FaultServer.awaitRequest(server)
  const abortedAt = Date.now()
  controller.abort()
  const closedAt = yield* FaultServer.awaitClose(server) // when the client really let go
  console.log("socket released after", closedAt - abortedAt, "ms")
}).pipe(Effect.scoped)
// #endregion silent

// #region replies
// An API that answers /health, hangs on /search and creates anything else
export const api = FaultServer.http({
  reply: (request): FaultServer.Reply =>
    request.path === "/health"
      ? { kind: "respond", body: "up" }
      : request.path.startsWith("/search")
      ? { kind: "silent" }
      : { kind: "respond", status: 201, headers: { "content-type": "application/json" }, body: "{}" }
})

// Fails the first two requests, then answers: the shape of a retry test
export const writes = FaultServer.flaky({ first: 2, fault: { kind: "respond", status: 503 } })

export const sink = FaultServer.blackhole({ afterBytes: 64 * 1024 }) // reads 64 KiB per connection, then stalls
// #endregion replies

// #region records
export const report = (server: FaultServer.FaultServer) =>
  Effect.gen(function* () {
    const stats = yield* FaultServer.stats(server)
    for (const c of stats.connections) {
      console.log(`connection ${c.id}: ${c.bytesReceived} bytes, closed by ${c.closedBy ?? "nobody yet"}`)
    }
    for (const r of stats.requests) {
      console.log(`${r.method} ${r.path} → ${r.reply}${r.error === undefined ? "" : ` (${r.error})`}`)
    }
  })
// #endregion records

// #region deadline-test
import { expect, it } from "@effect/vitest"

it.scopedLive("a request cut by its deadline releases its socket", () =>
  Effect.gen(function* () {
    const server = yield* FaultServer.silent()
    const result = yield* Deadline.tryPromise((signal) => fetch(`${server.url}/alerts`, { signal }), {
      budget: "100 millis",
      label: "GET /alerts"
    }).pipe(Effect.either)
    const gaveUpAt = Date.now()
    expect(result._tag).toBe("Left")
    const closedAt = yield* FaultServer.awaitClose(server).pipe(Effect.timeout("2 seconds"))
    console.log("socket released", closedAt - gaveUpAt, "ms after the deadline")
    expect((yield* FaultServer.stats(server)).connections[0]?.closedBy).toBe("client")
  }))
// #endregion deadline-test

// #region validation
// Rejected when the server is made, not when a request arrives: InvalidOptions naming `headers` and the name.
export const badHeader = FaultServer.ok({ headers: { "x request id": "42" } }).pipe(
  Effect.catchTag("InvalidOptions", (e) => Effect.log(e.message)),
  Effect.scoped
)

// A fixed port can be taken: PortInUse is in the error channel, with the host and the port.
export const onFixedPort = FaultServer.ok({ port: 8080 }).pipe(
  Effect.catchTag("PortInUse", (e) => Effect.zipRight(Effect.log(`${e.port} is taken`), FaultServer.ok()))
)

// Port 0 (the default) cannot be taken, and the type says so: only InvalidOptions can fail.
export const anyPort: Effect.Effect<FaultServer.FaultServer, FaultServer.InvalidOptions, never> = FaultServer.ok()
  .pipe(Effect.scoped)
// #endregion validation

// #region callbacks
// A reply function that throws costs its request a 500 naming the problem; the server goes on.
export const brittle = Effect.gen(function* () {
  const server = yield* FaultServer.http({
    reply: (request) => {
      if (request.path === "/bad") throw new Error("no fixture for /bad")
      return { kind: "respond" }
    }
  })
  const response = yield* Effect.promise(() => fetch(`${server.url}/bad`))
  console.log(response.status) // 500
  const [request] = (yield* FaultServer.stats(server)).requests
  console.log(request?.error) // reply threw Error: no fixture for /bad
}).pipe(Effect.scoped)
// #endregion callbacks

// #region scope
export const closed = Effect.gen(function* () {
  const server = yield* Effect.scoped(Effect.gen(function* () {
    const server = yield* FaultServer.silent()
    fetch(server.url).catch(() => undefined) // a client that waits for an answer that never comes
    yield* FaultServer.awaitRequest(server)
    return server
  })) // the scope closes here, the client still waiting
  const stats = server.unsafeStats()
  console.log(stats.open, stats.closed, stats.connections[0]?.closedBy) // 0 1 "server"
})
// #endregion scope
