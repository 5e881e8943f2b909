/**
 * `Main.run`'s options and its contract with the runtime, on a fake host: which handlers are installed
 * when, what is written, which code the process is ended with.
 */
import { describe, expect, it } from "@effect/vitest"
import { InvalidOptions } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Main } from "../src/index.ts"
import { resolve } from "../src/internal/options.ts"
import { runWith } from "../src/internal/run.ts"
import type { Host } from "../src/internal/runtime/host.ts"

const rejected = (options: unknown): InvalidOptions.InvalidOptions => {
  const result = resolve(options)
  if (Either.isRight(result)) {
    throw new Error(`expected ${JSON.stringify(options)} to be rejected`)
  }
  expect(result.left).toBeInstanceOf(InvalidOptions.InvalidOptions)
  return result.left
}

interface FakeHost extends Host {
  readonly signals: Map<string, () => void>
  readonly crashHandlers: Set<
    (error: unknown, origin: "uncaughtException" | "unhandledRejection") => void
  >
  readonly errors: Array<string>
  readonly exited: Promise<
    { readonly code: number; readonly summary: Main.Summary }
  >
}

const fakeHost = (): FakeHost => {
  const signals = new Map<string, () => void>()
  const crashHandlers: FakeHost["crashHandlers"] = new Set()
  const errors: Array<string> = []
  let exit!: (value: { readonly code: number; readonly summary: Main.Summary }) => void
  const exited = new Promise<
    { readonly code: number; readonly summary: Main.Summary }
  >((resolve) => exit = resolve)
  return {
    runtime: "node",
    signals,
    crashHandlers,
    errors,
    exited,
    onSignal: (signal, handler) => {
      signals.set(signal, handler)
      return () => signals.delete(signal)
    },
    onCrash: (handler) => {
      crashHandlers.add(handler)
      return () => crashHandlers.delete(handler)
    },
    writeError: (line) => errors.push(line),
    exit: (code, lastLine) => exit({ code, summary: JSON.parse(lastLine) })
  }
}

describe("Main.run options", () => {
  it("defaults: a 10 second grace period, no run duration, SIGTERM and SIGINT, codes 1 / 70 / 124", () => {
    const resolved = Either.getOrThrow(resolve(undefined))
    expect(Duration.toMillis(resolved.gracePeriod)).toBe(10_000)
    expect(resolved.runFor).toBeUndefined()
    expect(resolved.signals).toEqual(["SIGTERM", "SIGINT"])
    expect(resolved.codes).toMatchObject({ failure: 1, defect: 70, graceExceeded: 124 })
  })

  it("accepts a grace period of 0, a run duration of 30 days, and repeated signals once", () => {
    const resolved = Either.getOrThrow(
      resolve({ gracePeriod: 0, runFor: "30 days", signals: ["SIGTERM", "SIGHUP", "SIGTERM"] })
    )
    expect(Duration.toMillis(resolved.gracePeriod)).toBe(0)
    expect(Duration.toMillis(resolved.runFor!)).toBe(30 * 86_400_000)
    expect(resolved.signals).toEqual(["SIGTERM", "SIGHUP"])
  })

  it("a negative, NaN, infinite or malformed grace period is InvalidOptions naming gracePeriod", () => {
    for (const gracePeriod of [-1, Number.NaN, Infinity, "-1 second", Duration.infinity, "soon", null]) {
      const error = rejected({ gracePeriod })
      expect(error.option).toBe("gracePeriod")
      expect(error.message).toMatch(/^gracePeriod: must be a finite duration ≥ 0/)
    }
  })

  it("a run duration of 0, negative, NaN or infinite is InvalidOptions naming runFor", () => {
    for (const runFor of [0, -5, Number.NaN, Infinity, Duration.infinity, "0 seconds"]) {
      expect(rejected({ runFor }).option).toBe("runFor")
    }
  })

  it("an unknown or uncatchable signal, an empty list or a non-list is InvalidOptions naming signals", () => {
    expect(rejected({ signals: ["SIGTERM", "SIGKILL"] }).option).toBe("signals[1]")
    expect(rejected({ signals: ["sigterm"] }).option).toBe("signals[0]")
    expect(rejected({ signals: ["SIGUSR1"] }).option).toBe("signals[0]")
    expect(rejected({ signals: [] }).option).toBe("signals")
    expect(rejected({ signals: "SIGTERM" }).option).toBe("signals")
  })

  it("a code outside 0–255 is InvalidOptions naming it, byTag entries too", () => {
    expect(rejected({ codes: { failure: 256 } }).option).toBe("codes.failure")
    expect(rejected({ codes: { defect: -1 } }).option).toBe("codes.defect")
    expect(rejected({ codes: { graceExceeded: 1.5 } }).option).toBe("codes.graceExceeded")
    expect(rejected({ codes: { byTag: { DeadlineExceeded: 300 } } }).option).toBe("codes.byTag.DeadlineExceeded")
  })

  it("options that are not an object are InvalidOptions", () => {
    for (const options of [null, 5, "fast", []]) {
      expect(rejected(options).option).toBe("options")
    }
  })
})

describe("Main.run on a host", () => {
  it("bad options: the message and a summary with code 2 are written, and the program never starts", async () => {
    const host = fakeHost()
    let started = false
    runWith(host, Effect.sync(() => started = true), { gracePeriod: -1 })
    const { code, summary } = await host.exited
    expect(code).toBe(2)
    expect(summary).toEqual({ event: "exit", code: 2, reason: "failed", elapsedMs: 0 })
    expect(host.errors).toEqual([
      "@lifeline/exit: invalid options: gracePeriod: must be a finite duration ≥ 0 (got -1)"
    ])
    expect(started).toBe(false)
    expect(host.signals.size + host.crashHandlers.size).toBe(0)
  })

  it("handlers are in place before a synchronous program's first step and gone before the exit", async () => {
    const host = fakeHost()
    const seen: Array<string> = []
    runWith(
      host,
      Effect.sync(() => seen.push([...host.signals.keys(), `crash:${host.crashHandlers.size}`].join())),
      {}
    )
    const { code, summary } = await host.exited
    expect(seen).toEqual(["SIGTERM,SIGINT,crash:1"])
    expect({ code, reason: summary.reason }).toEqual({ code: 0, reason: "completed" })
    expect(host.signals.size + host.crashHandlers.size).toBe(0)
  })

  it("a signal through the host's handler ends the run with 0 and names the signal in the summary", async () => {
    const host = fakeHost()
    runWith(host, Effect.never, { signals: ["SIGHUP"] })
    await new Promise((resolve) => setTimeout(resolve, 10))
    host.signals.get("SIGHUP")!()
    const { code, summary } = await host.exited
    expect(code).toBe(0)
    expect(summary).toMatchObject({ event: "exit", code: 0, reason: "signal", signal: "SIGHUP" })
    expect(Object.keys(summary)).toEqual(["event", "code", "reason", "signal", "elapsedMs"])
  })

  it("a crash through the host's handler ends the run with the defect code", async () => {
    const host = fakeHost()
    runWith(host, Effect.never, { codes: { defect: 99 } })
    await new Promise((resolve) => setTimeout(resolve, 10))
    for (const handler of host.crashHandlers) {
      handler(new Error("stray"), "uncaughtException")
    }
    const { code, summary } = await host.exited
    expect({ code, reason: summary.reason }).toEqual({ code: 99, reason: "defect" })
  })

  it("a host that cannot listen to a signal is reported, and the other signals still work", async () => {
    const host = fakeHost()
    const refusing: Host = {
      ...host,
      onSignal: (signal, handler) => {
        if (signal === "SIGTERM") {
          throw new Error("not supported on this platform")
        }
        return host.onSignal(signal, handler)
      }
    }
    runWith(refusing, Effect.never, {})
    expect(host.errors).toEqual([
      "@lifeline/exit: cannot listen to SIGTERM on node: Error: not supported on this platform"
    ])
    await new Promise((resolve) => setTimeout(resolve, 10))
    host.signals.get("SIGINT")!()
    expect((await host.exited).summary).toMatchObject({ code: 0, reason: "signal", signal: "SIGINT" })
  })
})
