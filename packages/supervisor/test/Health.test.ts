import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Supervisor } from "@lifeline/supervisor"
import { advance } from "@lifeline/test-kit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { createServer } from "node:http"

interface Answer {
  readonly status: number
  readonly type: string | null
  readonly allow: string | null
  readonly text: string
}

/** `healthApp` as a fetch handler on the test's runtime, so its report follows the TestClock. */
const handlerFor = (sup: Supervisor.Supervisor) =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const handler = HttpApp.toWebHandlerRuntime(runtime)(Supervisor.healthApp(sup))
    return (path: string, method = "GET"): Effect.Effect<Answer> =>
      Effect.promise(async () => {
        const response = await handler(new Request(`http://127.0.0.1${path}`, { method }))
        return {
          status: response.status,
          type: response.headers.get("content-type"),
          allow: response.headers.get("allow"),
          text: await response.text()
        }
      })
  })

describe("Supervisor.healthApp", () => {
  it.effect("/healthz answers 200 with the report while healthy and 503 once a child stalls", () =>
    Effect.gen(function* () {
      let hang = false
      const scope = yield* Scope.make()
      const sup = yield* Supervisor.make({ name: "probe" }).pipe(Scope.extend(scope))
      yield* Supervisor.periodic(
        sup,
        "sweep",
        Effect.suspend(() => hang ? Effect.uninterruptible(Effect.never) : Effect.void),
        { every: "1 second", timeout: "500 millis", grace: "500 millis" }
      )
      yield* Supervisor.keepAlive(sup, "consumer", Effect.never, { restart: Schedule.spaced("1 second") })
      const get = yield* handlerFor(sup)

      yield* advance("1500 millis")
      const ok = yield* get("/healthz")
      expect(ok.status).toBe(200)
      expect(ok.type).toContain("application/json")
      const healthy = JSON.parse(ok.text)
      expect(healthy).toMatchObject({
        healthy: true,
        supervisor: "probe",
        children: [
          { name: "sweep", kind: "periodic", state: "running", missedTicks: 0, abandonedRuns: 0, lastFailure: null },
          { name: "consumer", kind: "keep-alive", state: "running", restarts: 0, abandonedRuns: 0 }
        ]
      })
      expect(healthy.children[0].lastSuccessAt).toBe(new Date(1000).toISOString())

      // Every run from t=2 s wedges: each is abandoned at its deadline + grace, and nothing succeeds again.
      hang = true
      yield* advance("4 seconds")
      const stalled = yield* get("/healthz")
      const report = JSON.parse(stalled.text)
      console.log("healthz while stalled:", stalled.status, stalled.text)
      expect(stalled.status).toBe(503)
      expect(report.healthy).toBe(false)
      expect(report.children[0]).toMatchObject({ name: "sweep", state: "stalled", lastFailure: { kind: "timeout" } })
      expect(report.children[0].abandonedRuns).toBeGreaterThanOrEqual(3)

      // The stop waits for the current run only as long as its grace, never for the wedged work itself.
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* advance("1 second")
      expect(closing.unsafePoll()).not.toBeNull()
      yield* Fiber.join(closing)
      expect((yield* get("/healthz")).status).toBe(503)
    }))

  it.scoped("/healthz turns 200 again once a run succeeds after one was abandoned", () =>
    Effect.gen(function* () {
      let run = 0
      const sup = yield* Supervisor.make({ name: "recovers" })
      yield* Supervisor.periodic(
        sup,
        "sweep",
        Effect.suspend(() => ++run === 2 ? Effect.uninterruptible(Effect.never) : Effect.void),
        { every: "1 second", timeout: "300 millis", grace: "1 second" }
      )
      const get = yield* handlerFor(sup)
      // The run of t=1 s is abandoned at 2.3 s; the loop's next run is due at 3 s.
      yield* advance("2500 millis")
      expect((yield* get("/healthz")).status).toBe(503)
      yield* advance("1 second")
      const recovered = yield* get("/healthz")
      expect(recovered.status).toBe(200)
      expect(JSON.parse(recovered.text).children[0]).toMatchObject({ state: "running", abandonedRuns: 1 })
      yield* advance("1 minute", "1 second")
      expect((yield* get("/healthz")).status).toBe(200)
    }))

  it.scoped("GET and HEAD on /healthz are answered; other methods get 405 with Allow; other paths 404", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "methods" })
      yield* Supervisor.keepAlive(sup, "consumer", Effect.never)
      const request = yield* handlerFor(sup)
      const get = yield* request("/healthz?verbose=1", "GET")
      expect(get.status).toBe(200)
      expect(JSON.parse(get.text).healthy).toBe(true)
      const head = yield* request("/healthz", "HEAD")
      expect(head.status).toBe(200)
      expect(head.type).toContain("application/json")
      expect(head.text).toBe("")
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const answer = yield* request("/healthz", method)
        expect({ method, status: answer.status }).toEqual({ method, status: 405 })
        expect(answer.allow).toBe("GET, HEAD")
      }
      for (const [path, method] of [["/", "GET"], ["/healthz/", "GET"], ["/healthzz", "GET"], ["/nope", "POST"]]) {
        expect({ path, method, status: (yield* request(path!, method)).status }).toEqual({ path, method, status: 404 })
      }
    }))

  it.scoped("HEAD answers 503 without a body when the report is unhealthy", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "head-unhealthy" })
      yield* Supervisor.keepAlive(sup, "once", Effect.fail("bad config"), { restart: Schedule.recurs(0) })
      yield* advance("100 millis")
      const head = yield* (yield* handlerFor(sup))("/healthz", "HEAD")
      expect(head.status).toBe(503)
      expect(head.text).toBe("")
    }))

  it.scoped("a real loopback server answers /healthz from the same report", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "loopback" })
      yield* Supervisor.periodic(sup, "sweep", Effect.fail("alert API down"), {
        every: "1 second",
        timeout: "1 second"
      })
      yield* HttpServer.serveEffect(Supervisor.healthApp(sup))
      const address = yield* HttpServer.addressWith((a) => Effect.succeed(a))
      const port = address._tag === "TcpAddress" ? address.port : 0
      const request = (method: string) =>
        Effect.promise(async () => {
          const response = await fetch(`http://127.0.0.1:${port}/healthz`, { method })
          return { status: response.status, text: await response.text() }
        })
      const ok = yield* request("GET")
      expect(ok.status).toBe(200)
      // No success for 3 × 1 s + 1 s: stalled.
      yield* advance("4500 millis")
      const stalled = yield* request("GET")
      const body = JSON.parse(stalled.text)
      console.log(`loopback /healthz on port ${port}:`, stalled.status, body.children[0].state)
      expect(stalled.status).toBe(503)
      expect(body.children[0]).toMatchObject({ name: "sweep", state: "stalled", consecutiveFailures: 5 })
      const head = yield* request("HEAD")
      expect(head).toEqual({ status: 503, text: "" })
      expect((yield* request("POST")).status).toBe(405)
    }).pipe(Effect.provide(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))))
})
