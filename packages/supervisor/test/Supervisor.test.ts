import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Deadline } from "@lifeline/deadline"
import { Supervisor } from "@lifeline/supervisor"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { createServer } from "node:http"
import { advance, captureLogs, now } from "./helpers.ts"

describe("Supervisor.make and scope close", () => {
  it.effect("closing the scope interrupts every child and returns at once when they stop", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const interrupted: Array<string> = []
      const sup = yield* Supervisor.make({ name: "polite" }).pipe(Scope.extend(scope))
      yield* Supervisor.keepAlive(
        sup,
        "consumer",
        Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push("consumer")))
      )
      yield* Supervisor.periodic(
        sup,
        "sweep",
        Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push("sweep"))),
        {
          every: "1 second",
          timeout: "1 minute"
        }
      )
      yield* advance("100 millis")
      const t0 = yield* now
      yield* Scope.close(scope, Exit.void)
      expect((yield* now) - t0).toBe(0)
      expect(interrupted.sort()).toEqual(["consumer", "sweep"])
      const report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(false)
    }))

  it.effect("a child that will not stop is abandoned at stopTimeout and named in an Error log", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const scope = yield* Scope.make()
      // The stop's log goes to the logger in place when the supervisor was made.
      const sup = yield* Supervisor.make({ name: "stubborn", stopTimeout: "2 seconds" }).pipe(
        Scope.extend(scope),
        Effect.provide(logs.layer)
      )
      yield* Supervisor.keepAlive(sup, "wedged", Effect.uninterruptible(Effect.never)).pipe(Effect.provide(logs.layer))
      yield* Supervisor.keepAlive(sup, "fine", Effect.never)
      yield* advance("100 millis")
      const t0 = yield* now
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* advance("1900 millis")
      expect(closing.unsafePoll()).toBeNull()
      yield* advance("100 millis")
      yield* Fiber.join(closing)
      expect((yield* now) - t0).toBe(2000)
      const abandonedLogs = logs.entries.filter((e) => e.level === "ERROR" && e.message.includes("abandoned"))
      expect(abandonedLogs).toHaveLength(1)
      expect(abandonedLogs[0]!.message).toContain("abandoned: wedged")
      expect(abandonedLogs[0]!.message).not.toContain("fine")
      const abandoned = yield* Metric.value(Supervisor.abandonedTotal.pipe(Metric.tagged("supervisor", "stubborn")))
      expect(abandoned.count).toBe(1)
    }))

  it.effect("join succeeds when the scope closes normally", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const sup = yield* Supervisor.make({ name: "joined" }).pipe(Scope.extend(scope))
      yield* Supervisor.keepAlive(sup, "consumer", Effect.never)
      const joined = yield* Effect.fork(Supervisor.join(sup))
      yield* advance("1 second")
      expect(joined.unsafePoll()).toBeNull()
      yield* Scope.close(scope, Exit.void)
      expect(yield* Fiber.await(joined)).toEqual(Exit.void)
      // Joining a stopped supervisor returns at once.
      yield* Supervisor.join(sup)
    }))

  it.effect("starting a child on a stopped supervisor is a defect", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const sup = yield* Supervisor.make({ name: "closed" }).pipe(Scope.extend(scope))
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Effect.exit(Supervisor.keepAlive(sup, "late", Effect.never))
      expect(Exit.isFailure(exit) && exit.toString()).toContain("has stopped")
    }))
})

describe("options", () => {
  const invalid = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.flip(effect).pipe(Effect.map((e) => e as unknown as Deadline.InvalidOptions))

  it.scoped("bad supervisor options fail with InvalidOptions naming the option and the value", () =>
    Effect.gen(function* () {
      const cases: Array<[Supervisor.Options, string, unknown]> = [
        [{ name: "" }, "name", ""],
        [{ name: "s", stopTimeout: -1 }, "stopTimeout", -1],
        [{ name: "s", stopTimeout: Number.NaN }, "stopTimeout", Number.NaN],
        [{ name: "s", stopTimeout: "Infinity" as Supervisor.Options["stopTimeout"] }, "stopTimeout", "Infinity"],
        [{ name: "s", intensity: { maxRestarts: 0, within: "1 minute" } }, "intensity.maxRestarts", 0],
        [{ name: "s", intensity: { maxRestarts: 1.5, within: "1 minute" } }, "intensity.maxRestarts", 1.5],
        [{ name: "s", intensity: { maxRestarts: 3, within: 0 } }, "intensity.within", 0]
      ]
      for (const [options, option, value] of cases) {
        const error = yield* invalid(Supervisor.make(options))
        expect(error).toBeInstanceOf(Deadline.InvalidOptions)
        expect(error.option).toBe(option)
        expect(error.value).toEqual(value)
        expect(error.message).toContain(option)
      }
    }))

  it.scoped("bad child options fail with InvalidOptions and start nothing", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "opts" })
      const every = yield* invalid(Supervisor.periodic(sup, "a", Effect.void, { every: 0, timeout: "1 second" }))
      expect(every.option).toBe("every")
      const timeout = yield* invalid(
        Supervisor.periodic(sup, "a", Effect.void, { every: "1 second", timeout: Number.NaN })
      )
      expect(timeout.option).toBe("timeout")
      const overrun = yield* invalid(
        Supervisor.periodic(sup, "a", Effect.void, {
          every: "1 second",
          timeout: "1 second",
          overrun: "catch-up" as any
        })
      )
      expect(overrun.option).toBe("overrun")
      const stale = yield* invalid(
        Supervisor.periodic(sup, "a", Effect.void, { every: "1 second", timeout: "1 second", staleAfter: "-5 seconds" })
      )
      expect(stale.option).toBe("staleAfter")
      const reset = yield* invalid(Supervisor.keepAlive(sup, "k", Effect.void, { resetAfter: -1 }))
      expect(reset.option).toBe("resetAfter")
      expect((yield* Supervisor.health(sup)).children).toEqual([])
      yield* Supervisor.keepAlive(sup, "k", Effect.never)
      const duplicate = yield* invalid(
        Supervisor.periodic(sup, "k", Effect.void, { every: "1 second", timeout: "1 second" })
      )
      expect(duplicate.option).toBe("name")
      expect(duplicate.value).toBe("k")
    }))
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
        {
          every: "1 second",
          timeout: "500 millis",
          grace: "500 millis"
        }
      )
      yield* Supervisor.keepAlive(sup, "consumer", Effect.never, { restart: Schedule.spaced("1 second") })
      const runtime = yield* Effect.runtime<never>()
      const handler = HttpApp.toWebHandlerRuntime(runtime)(Supervisor.healthApp(sup))
      const get = (path: string) =>
        Effect.promise(async () => {
          const response = await handler(new Request(`http://127.0.0.1${path}`))
          const body: any = await response.json()
          return { status: response.status, type: response.headers.get("content-type"), body }
        })

      yield* advance("1500 millis")
      const ok = yield* get("/healthz")
      expect(ok.status).toBe(200)
      expect(ok.type).toContain("application/json")
      expect(ok.body).toMatchObject({
        healthy: true,
        supervisor: "probe",
        children: [
          { name: "sweep", kind: "periodic", state: "running", missedTicks: 0, lastFailure: null },
          { name: "consumer", kind: "keep-alive", state: "running", restarts: 0 }
        ]
      })
      expect(ok.body.children[0].lastSuccessAt).toBe(new Date(1000).toISOString())

      hang = true
      yield* advance("2500 millis")
      const stalled = yield* get("/healthz")
      console.log("healthz while stalled:", stalled.status, JSON.stringify(stalled.body))
      expect(stalled.status).toBe(503)
      expect(stalled.body.healthy).toBe(false)
      expect(stalled.body.children[0]).toMatchObject({ name: "sweep", state: "stalled" })
      expect(stalled.body.children[0].lastFailure).toMatchObject({ kind: "timeout" })

      const missing = yield* get("/nope")
      expect(missing.status).toBe(404)

      // The wedged run holds the loop's fiber at close: the stop waits for it at most stopTimeout.
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* advance("6 seconds")
      yield* Fiber.join(closing)
      expect((yield* get("/healthz")).status).toBe(503)
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
      const get = Effect.promise(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`)
        const body: any = await response.json()
        return { status: response.status, body }
      })
      const ok = yield* get
      expect(ok.status).toBe(200)
      // No success for 3 × 1 s + 1 s: stalled.
      yield* advance("4500 millis")
      const stalled = yield* get
      console.log(`loopback /healthz on port ${port}:`, stalled.status, stalled.body.children[0].state)
      expect(stalled.status).toBe(503)
      expect(stalled.body.children[0]).toMatchObject({ name: "sweep", state: "stalled", consecutiveFailures: 5 })
    }).pipe(Effect.provide(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))))
})
