/**
 * The runtime adapters on fakes of `process` and `Deno`: what they install and remove, and how they exit.
 * The real runtimes are exercised in `Process.test.ts`.
 */
import { describe, expect, it } from "@effect/vitest"
import { type DenoNamespace, makeDenoHost } from "../src/internal/runtime/deno.ts"
import { detect } from "../src/internal/runtime/detect.ts"
import { drainMillis } from "../src/internal/runtime/host.ts"
import { makeNodeHost, type NodeProcess } from "../src/internal/runtime/node.ts"

interface FakeProcess extends NodeProcess {
  readonly listeners: Map<string, Set<(...args: ReadonlyArray<never>) => void>>
  readonly written: Array<string>
  exitedWith: number | undefined
  flushStderr: (() => void) | undefined
  stdoutPending: number
  stderrPending: number
}

const fakeProcess = (): FakeProcess => {
  const listeners = new Map<string, Set<(...args: ReadonlyArray<never>) => void>>()
  const fake = {
    versions: { node: "20.0.0" },
    listeners,
    written: [] as Array<string>,
    exitedWith: undefined as number | undefined,
    flushStderr: undefined as (() => void) | undefined,
    stdoutPending: 0,
    stderrPending: 0,
    on(event: string, listener: (...args: ReadonlyArray<never>) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
    },
    off(event: string, listener: (...args: ReadonlyArray<never>) => void) {
      listeners.get(event)?.delete(listener)
    },
    exit(code: number): never {
      fake.exitedWith = code
      return undefined as never
    },
    stdout: {
      get writableLength() {
        return fake.stdoutPending
      }
    },
    stderr: {
      get writableLength() {
        return fake.stderrPending
      },
      write(chunk: string, callback?: () => void) {
        fake.written.push(chunk)
        fake.stderrPending += chunk.length
        fake.flushStderr = () => {
          fake.stderrPending = 0
          callback?.()
        }
        return true
      }
    }
  }
  return fake as unknown as FakeProcess
}

const count = (p: FakeProcess, event: string) => p.listeners.get(event)?.size ?? 0
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("the Node and Bun adapter", () => {
  it("installs one listener per signal and for both kinds of crash, and removes exactly those", () => {
    const p = fakeProcess()
    const host = makeNodeHost(p)
    const calls: Array<string> = []
    const removeSignal = host.onSignal("SIGTERM", () => calls.push("SIGTERM"))
    const removeCrash = host.onCrash((error, origin) => calls.push(`${origin}: ${String(error)}`))
    expect([count(p, "SIGTERM"), count(p, "uncaughtException"), count(p, "unhandledRejection")]).toEqual([1, 1, 1])
    for (const l of p.listeners.get("SIGTERM")!) (l as () => void)()
    for (const l of p.listeners.get("unhandledRejection")!) {
      ;(l as (reason: unknown) => void)("nope")
    }
    expect(calls).toEqual(["SIGTERM", "unhandledRejection: nope"])
    removeSignal()
    removeCrash()
    expect([count(p, "SIGTERM"), count(p, "uncaughtException"), count(p, "unhandledRejection")]).toEqual([0, 0, 0])
  })

  it("exits only once stderr has flushed the summary and stdout's buffer is empty", async () => {
    const p = fakeProcess()
    p.stdoutPending = 70_000
    makeNodeHost(p).exit(3, `{"event":"exit"}`)
    expect(p.written).toEqual([`{"event":"exit"}\n`])
    await sleep(30)
    expect(p.exitedWith).toBeUndefined()
    p.flushStderr!()
    await sleep(30)
    expect(p.exitedWith).toBeUndefined()
    p.stdoutPending = 0
    await sleep(30)
    expect(p.exitedWith).toBe(3)
  })

  it("a summary the pipe took at once, with stdout empty, exits in the same turn", () => {
    const p = fakeProcess()
    const host = makeNodeHost(p)
    const write = p.stderr.write.bind(p.stderr)
    p.stderr.write = (chunk, callback) => {
      const result = write(chunk, callback)
      p.stderrPending = 0 // written at once, as a pipe with room does; the callback comes a turn later
      return result
    }
    host.exit(0, "{}")
    expect(p.exitedWith).toBe(0)
  })

  it("a reader that never drains stdout delays the exit by at most the drain bound", async () => {
    const p = fakeProcess()
    p.stdoutPending = 1
    const started = performance.now()
    makeNodeHost(p).exit(124, "{}")
    while (p.exitedWith === undefined) await sleep(10)
    const waited = performance.now() - started
    console.log(`exit with a stuck stdout after ${waited.toFixed(0)} ms (bound ${drainMillis} ms)`)
    expect(p.exitedWith).toBe(124)
    expect(waited).toBeGreaterThanOrEqual(drainMillis - 5)
    expect(waited).toBeLessThan(drainMillis + 1000)
  })
})

describe("the Deno adapter", () => {
  const fakeDeno = () => {
    const signals = new Map<string, Set<() => void>>()
    const events = new Map<string, Set<(event: never) => void>>()
    const out: Array<number> = []
    const state = { exitedWith: undefined as number | undefined }
    const deno: DenoNamespace = {
      version: { deno: "2.0.0" },
      addSignalListener: (signal, handler) => {
        if (!signals.has(signal)) signals.set(signal, new Set())
        signals.get(signal)!.add(handler)
      },
      removeSignalListener: (signal, handler) => void signals.get(signal)?.delete(handler),
      exit: (code) => {
        state.exitedWith = code
        return undefined as never
      },
      // a pipe that takes at most 7 bytes per write
      stderr: { writeSync: (data) => (out.push(...data.subarray(0, 7)), Math.min(7, data.length)) }
    }
    const target = {
      addEventListener: (type: string, listener: (event: never) => void) => {
        if (!events.has(type)) events.set(type, new Set())
        events.get(type)!.add(listener)
      },
      removeEventListener: (type: string, listener: (event: never) => void) => void events.get(type)?.delete(listener)
    }
    return { deno, target, signals, events, out, state }
  }

  it("listens with Deno.addSignalListener and removes the same listener", () => {
    const f = fakeDeno()
    const host = makeDenoHost(f.deno, f.target)
    let calls = 0
    const remove = host.onSignal("SIGINT", () => calls++)
    for (const l of f.signals.get("SIGINT")!) l()
    expect(calls).toBe(1)
    remove()
    expect(f.signals.get("SIGINT")!.size).toBe(0)
  })

  it("cancels the error and unhandledrejection events it handles, so that Deno does not die of them", () => {
    const f = fakeDeno()
    const seen: Array<string> = []
    const remove = makeDenoHost(f.deno, f.target).onCrash((error, origin) => seen.push(`${origin}: ${String(error)}`))
    let prevented = 0
    const event = (fields: object) => ({ ...fields, preventDefault: () => prevented++ }) as never
    for (const l of f.events.get("error")!) {
      l(event({ error: new Error("stray") }))
    }
    for (const l of f.events.get("unhandledrejection")!) {
      l(event({ reason: "lost" }))
    }
    expect(seen).toEqual(["uncaughtException: Error: stray", "unhandledRejection: lost"])
    expect(prevented).toBe(2)
    remove()
    expect(f.events.get("error")!.size + f.events.get("unhandledrejection")!.size).toBe(0)
  })

  it("writes the whole summary, even through short writes, before Deno.exit", () => {
    const f = fakeDeno()
    const line = `{"event":"exit","code":0,"reason":"signal","elapsedMs":12}`
    makeDenoHost(f.deno, f.target).exit(0, line)
    expect(new TextDecoder().decode(new Uint8Array(f.out))).toBe(`${line}\n`)
    expect(f.state.exitedWith).toBe(0)
  })
})

describe("runtime detection", () => {
  it("finds the runtime the suite runs on", () => {
    const versions = process.versions as Readonly<
      Record<string, string | undefined>
    >
    const expected = versions.bun !== undefined ? "bun" : versions.deno !== undefined ? "deno" : "node"
    expect(detect().runtime).toBe(expected)
  })
})
