/**
 * Nothing outlives a server's scope: its port is free, every socket is closed and recorded as closed the
 * moment the scope has closed, and no timer or handle is left behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Scope } from "effect"
import { FaultServer } from "../src/index.ts"
import { connect, connectError, outcomeOf } from "./helpers.ts"

const kinds = (): ReadonlyArray<Effect.Effect<FaultServer.FaultServer, FaultServer.InvalidOptions, Scope.Scope>> => [
  FaultServer.silent(),
  FaultServer.blackhole(),
  FaultServer.blackhole({ afterBytes: 10 }),
  FaultServer.ok(),
  FaultServer.slow({ delay: "1 hour" }),
  FaultServer.flaky({ every: 2, fault: { kind: "silent" } }),
  FaultServer.reset({ afterBytes: 1_000_000 })
]

describe("closing the scope", () => {
  it.live("right after the scope closes, the records show every socket closed by the server", () =>
    Effect.gen(function* () {
      for (const make of kinds()) {
        const scope = yield* Scope.make()
        const server = yield* make.pipe(Scope.extend(scope))
        const outcomes: Array<Promise<string>> = []
        for (let i = 0; i < 8; i++) {
          const socket = yield* Effect.promise(() => connect(server.port))
          outcomes.push(outcomeOf(socket))
          socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        }
        yield* FaultServer.awaitConnection(server, 8)
        const [elapsed] = yield* Scope.close(scope, Exit.void).pipe(Effect.timed)
        const stats = server.unsafeStats()
        console.log(
          server.fault,
          ": scope closed in",
          Duration.toMillis(elapsed),
          "ms; records right after:",
          stats.open,
          "open,",
          stats.closed,
          "closed"
        )
        expect(stats.opened).toBe(8)
        expect(stats.open).toBe(0)
        expect(stats.closed).toBe(8)
        for (const connection of stats.connections) {
          expect(connection.closedAt).toBeDefined()
          expect(connection.closedBy).toBe("server")
        }
        expect(Duration.toMillis(elapsed)).toBeLessThan(1000)
        yield* Effect.promise(() => Promise.all(outcomes))
        // the records do not change afterwards, when the runtime reports the closes
        expect(server.unsafeStats()).toEqual(stats)
      }
    }))

  it.live("frees the port and closes the sockets clients still hold", () =>
    Effect.gen(function* () {
      for (const make of kinds()) {
        const scope = yield* Scope.make()
        const server = yield* make.pipe(Scope.extend(scope))
        const socket = yield* Effect.promise(() => connect(server.port))
        const outcome = outcomeOf(socket)
        yield* FaultServer.awaitConnection(server)
        yield* Scope.close(scope, Exit.void)
        const clientSaw = yield* Effect.promise(() => outcome)
        const afterwards = yield* Effect.promise(() => connectError(server.port))
        console.log(server.fault, ": after the scope closed the client saw", clientSaw, "; reconnect:", afterwards)
        expect(afterwards).toBe("ECONNREFUSED")
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

describe("no leaks", () => {
  it.live("after the scope closes no listener, socket or timer of any server is left", () =>
    Effect.gen(function* () {
      const baseline = liveHandles()
      const outcomes: Array<Promise<string>> = []
      const scope = yield* Scope.make()
      const servers: Array<FaultServer.FaultServer> = []
      for (const make of kinds()) servers.push(yield* make.pipe(Scope.extend(scope)))
      for (const server of servers) {
        const socket = yield* Effect.promise(() => connect(server.port))
        outcomes.push(outcomeOf(socket))
        socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        yield* FaultServer.awaitConnection(server)
      }
      // a request waiting for its slow answer holds a server-side timer
      yield* FaultServer.awaitRequest(servers[4]!)
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
