/**
 * Options are checked when a server is made: a bad value fails with `InvalidOptions` naming the option and
 * the value, and a port that cannot be had fails with a typed error, never a defect at request time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, type Scope } from "effect"
import * as Net from "node:net"
import { FaultServer } from "../src/index.ts"
import { get } from "./helpers.ts"

type Make = Effect.Effect<unknown, unknown, Scope.Scope>

const rejected = (make: Make) => Effect.flip(Effect.scoped(make))

describe("bad options fail with InvalidOptions naming the option and the value", () => {
  const cases: ReadonlyArray<readonly [string, Make, string]> = [
    ["port -1", FaultServer.ok({ port: -1 }), "port"],
    ["port 70000", FaultServer.silent({ port: 70000 }), "port"],
    ["port 1.5", FaultServer.blackhole({ port: 1.5 }), "port"],
    ["port NaN", FaultServer.reset({ port: Number.NaN }), "port"],
    ["empty host", FaultServer.ok({ host: "" }), "host"],
    ["blank host", FaultServer.ok({ host: "  " }), "host"],
    ["host that is not a string", FaultServer.ok({ host: 127 as never }), "host"],
    ["refused with a blank host", FaultServer.refused({ host: " " }), "host"],
    ["options that are not an object", FaultServer.ok(null as never), "options"],
    ["recordBodies that is not a boolean", FaultServer.ok({ recordBodies: "yes" as never }), "recordBodies"],
    ["negative delay", FaultServer.slow({ delay: -5 }), "delay"],
    ["NaN delay", FaultServer.slow({ delay: Number.NaN }), "delay"],
    ["infinite delay", FaultServer.slow({ delay: Duration.infinity }), "delay"],
    ["delay that is not a duration", FaultServer.slow({ delay: "soon" as never }), "delay"],
    ["status 99", FaultServer.ok({ status: 99 }), "status"],
    ["status 600", FaultServer.ok({ status: 600 }), "status"],
    ["status 200.5", FaultServer.slow({ delay: 1, status: 200.5 }), "status"],
    ["body that is neither text nor bytes", FaultServer.ok({ body: 42 as never }), "body"],
    ["header name with a space", FaultServer.ok({ headers: { "bad header": "x" } }), "headers"],
    ["empty header name", FaultServer.ok({ headers: { "": "x" } }), "headers"],
    ["header name with a colon", FaultServer.ok({ headers: { "x-a:": "x" } }), "headers"],
    ["header name outside ASCII", FaultServer.slow({ delay: 1, headers: { "x-é": "x" } }), "headers"],
    ["header value with CR LF", FaultServer.ok({ headers: { "x-a": "a\r\nset-cookie: b" } }), 'headers["x-a"]'],
    ["header value with NUL", FaultServer.ok({ headers: { "x-a": "a\u0000" } }), 'headers["x-a"]'],
    ["header value outside Latin-1", FaultServer.ok({ headers: { "x-a": "10 €" } }), 'headers["x-a"]'],
    ["header value that is not a string", FaultServer.ok({ headers: { "x-a": 5 as never } }), 'headers["x-a"]'],
    ["headers that are not a record", FaultServer.ok({ headers: "x-a: 1" as never }), "headers"],
    ["every 0", FaultServer.flaky({ every: 0, fault: { kind: "reset" } }), "every"],
    ["first 1.5", FaultServer.flaky({ first: 1.5, fault: { kind: "reset" } }), "first"],
    ["every beyond a safe integer", FaultServer.flaky({ every: 2 ** 60, fault: { kind: "reset" } }), "every"],
    ["when that is not a function", FaultServer.flaky({ when: "x" as never, fault: { kind: "reset" } }), "when"],
    ["two rules", FaultServer.flaky({ every: 2, first: 1, fault: { kind: "reset" } }), "every|first|when"],
    ["no rule", FaultServer.flaky({ fault: { kind: "reset" } }), "every|first|when"],
    ["no fault", FaultServer.flaky({ every: 2 } as never), "fault"],
    ["fault status 700", FaultServer.flaky({ every: 2, fault: { kind: "respond", status: 700 } }), "fault.status"],
    [
      "fault header name with a space",
      FaultServer.flaky({ every: 2, fault: { kind: "respond", headers: { "a b": "c" } } }),
      "fault.headers"
    ],
    [
      "otherwise delay -1",
      FaultServer.flaky({ every: 2, fault: { kind: "reset" }, otherwise: { kind: "slow", delay: -1 } }),
      "otherwise.delay"
    ],
    ["afterBytes -1", FaultServer.reset({ afterBytes: -1 }), "afterBytes"],
    ["afterBytes NaN", FaultServer.reset({ afterBytes: Number.NaN }), "afterBytes"],
    ["afterBytes Infinity", FaultServer.reset({ afterBytes: Number.POSITIVE_INFINITY }), "afterBytes"],
    ["blackhole afterBytes 0.5", FaultServer.blackhole({ afterBytes: 0.5 }), "afterBytes"],
    ["reply delay -1", FaultServer.http({ reply: { kind: "slow", delay: "-1 millis" } }), "reply.delay"],
    ["reply of an unknown kind", FaultServer.http({ reply: { kind: "drop" } as never }), "reply.kind"],
    ["reply that is not a Reply", FaultServer.http({ reply: 42 as never }), "reply"]
  ]
  for (const [name, make, option] of cases) {
    it.effect(`${name}: InvalidOptions naming ${option}`, () =>
      Effect.gen(function* () {
        const error = yield* rejected(make)
        expect(error).toBeInstanceOf(FaultServer.InvalidOptions)
        if (!(error instanceof FaultServer.InvalidOptions)) return
        expect(error._tag).toBe("InvalidOptions")
        expect(error.option).toBe(option)
        expect(error.message.startsWith(`${option}: `)).toBe(true)
        expect(error.message).toContain("(got ")
      }))
  }

  it.effect("the message names the bad value", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(FaultServer.ok({ port: 70000 })))
      expect(error.message).toBe("port: must be a whole number from 0 to 65535 (got 70000)")
      const header = yield* Effect.flip(Effect.scoped(FaultServer.ok({ headers: { "bad header": "x" } })))
      expect(header.value).toBe("bad header")
      expect(header.message).toContain('"bad header"')
    }))
})

describe("valid options are accepted", () => {
  it.effect("every form of a valid delay, up to far beyond a runtime timer", () =>
    Effect.gen(function* () {
      const delays: ReadonlyArray<Duration.DurationInput> = [
        0,
        "10 nanos",
        "5 millis",
        Duration.millis(5),
        [0, 5_000],
        BigInt(1_000),
        "30 days"
      ]
      for (const delay of delays) {
        const server = yield* FaultServer.slow({ delay })
        expect(server.fault).toBe("slow")
      }
    }).pipe(Effect.scoped))

  it.scopedLive("headers with tabs, spaces and Latin-1 text reach the client as given", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.ok({
        headers: { "content-type": "text/plain; charset=latin1", "x-Trace_ID.1~!": "a\tb c" }
      })
      const seen = yield* Effect.promise(async () => {
        const response = await fetch(server.url)
        await response.text()
        return [response.headers.get("content-type"), response.headers.get("x-trace_id.1~!")]
      })
      expect(seen).toEqual(["text/plain; charset=latin1", "a\tb c"])
    }))
})

describe("the address", () => {
  it.scopedLive("a fixed port already in use fails with PortInUse naming host and port", () =>
    Effect.gen(function* () {
      const taken = yield* FaultServer.ok()
      const makes: ReadonlyArray<Make> = [
        FaultServer.ok({ port: taken.port }),
        FaultServer.silent({ port: taken.port }),
        FaultServer.blackhole({ port: taken.port }),
        FaultServer.reset({ port: taken.port })
      ]
      for (const make of makes) {
        // a defect here (a raw EADDRINUSE) would fail the test before any assertion
        const error = yield* rejected(make)
        expect(error).toBeInstanceOf(FaultServer.PortInUse)
        if (!(error instanceof FaultServer.PortInUse)) return
        expect(error._tag).toBe("PortInUse")
        expect(error.host).toBe("127.0.0.1")
        expect(error.port).toBe(taken.port)
        expect(error.message).toContain(`127.0.0.1:${taken.port}`)
      }
      // the server that holds the port is untouched
      expect(yield* get(taken.url)).toEqual({ status: 200, body: "ok" })
    }))

  it.live("a port held by another listener is caught as PortInUse, and typed in the error channel", () =>
    Effect.gen(function* () {
      const other = Net.createServer()
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) =>
          other.listen({ host: "127.0.0.1", port: 0 }, () => {
            const address = other.address()
            resolve(typeof address === "object" && address !== null ? address.port : 0)
          })
        )
      )
      const result = yield* FaultServer.silent({ port }).pipe(
        Effect.as("listening"),
        Effect.catchTag("PortInUse", (e) => Effect.succeed(`in use: ${e.host}:${e.port}`)),
        Effect.scoped
      )
      yield* Effect.promise(() => new Promise<void>((resolve) => other.close(() => resolve())))
      expect(result).toBe(`in use: 127.0.0.1:${port}`)
    }))

  it.effect("a host with a control character fails with InvalidOptions naming host", () =>
    Effect.gen(function* () {
      const error = yield* rejected(FaultServer.ok({ host: "127.0.0.1\n" }))
      expect(error).toBeInstanceOf(FaultServer.InvalidOptions)
      if (error instanceof FaultServer.InvalidOptions) expect(error.option).toBe("host")
    }))

  it.effect("a host that is not an address of this machine fails with InvalidOptions naming host", () =>
    Effect.gen(function* () {
      // 192.0.2.0/24 is reserved for documentation: never assigned to a local interface
      const error = yield* rejected(FaultServer.ok({ host: "192.0.2.1" }))
      expect(error).toBeInstanceOf(FaultServer.InvalidOptions)
      if (error instanceof FaultServer.InvalidOptions) {
        expect(error.option).toBe("host")
        expect(error.value).toBe("192.0.2.1")
      }
    }))
})

describe("waiting", () => {
  it.effect("waiting for the 0th or a fractional event is a defect naming n", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.silent()
      for (const n of [0, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(FaultServer.awaitClose(server, n))
        expect(Exit.isFailure(exit) && !Exit.isInterrupted(exit)).toBe(true)
        if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("InvalidOptions")
      }
    }).pipe(Effect.scoped))
})
