/**
 * Starts the fixture programs in real processes of Node, Deno and Bun and watches them: output, exit code or
 * signal, the summary line, and when each thing happened (`performance.now()` of the test process).
 *
 * Node runs the fixture precompiled into one ES module by `bun build` (once per fixture and test run): under
 * tsx's loader a start takes seconds on a busy two-core machine, most of it spent resolving Effect's modules.
 * Deno and Bun run the TypeScript source directly. Deno is the real binary: the `deno` npm launcher is a Node
 * wrapper that does not forward signals.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Main } from "../src/index.ts"

export type RuntimeName = "node" | "deno" | "bun"
export type Fixture = "main" | "runMain"

const here = path.dirname(fileURLToPath(import.meta.url))
const packageDir = path.resolve(here, "..")
const root = path.resolve(packageDir, "../..")

const versions = process.versions as Readonly<Record<string, string | undefined>>
/** Node itself: the test process's binary when the suite runs on Node, else `node` from the PATH. */
const nodeBinary = versions.deno === undefined && versions.bun === undefined ? process.execPath : "node"
export const binaries: Readonly<Record<RuntimeName, string>> = {
  node: nodeBinary,
  deno: path.join(root, "node_modules/deno/deno"),
  bun: path.join(root, "node_modules/bun/bin/bun.exe")
}

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeline-exit-fixtures-"))

/** A path that does not exist yet, for a fixture to wait on (`busyStart`). */
export const releaseFile = (name: string): string => path.join(outDir, `release-${name}-${process.hrtime.bigint()}`)

const bundles = new Map<Fixture, Promise<string>>()

const bundle = (fixture: Fixture): Promise<string> => {
  let pending = bundles.get(fixture)
  if (pending === undefined) {
    const outfile = path.join(outDir, `${fixture}.mjs`)
    pending = new Promise((resolve, reject) =>
      execFile(
        binaries.bun,
        [
          "build",
          path.join(here, "fixtures", `${fixture}.ts`),
          "--target=node",
          "--format=esm",
          `--outfile=${outfile}`
        ],
        { cwd: packageDir },
        (error, _stdout, stderr) => error ? reject(new Error(`bun build ${fixture}: ${stderr}`)) : resolve(outfile)
      )
    )
    bundles.set(fixture, pending)
  }
  return pending
}

const command = async (runtime: RuntimeName, fixture: Fixture): Promise<ReadonlyArray<string>> => {
  const source = path.join(here, "fixtures", `${fixture}.ts`)
  switch (runtime) {
    case "node":
      return [binaries.node, await bundle(fixture)]
    case "deno":
      return [binaries.deno, "run", "-A", "--quiet", source]
    case "bun":
      return [binaries.bun, source]
  }
}

export interface Ended {
  readonly code: number | null
  readonly signal: string | null
  /** When the process ended. */
  readonly at: number
  readonly stdout: string
  readonly stderr: string
  /** The `{"event":"exit",…}` line on stderr, if any. */
  readonly summary: Main.Summary | undefined
}

export interface Child {
  readonly runtime: RuntimeName
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the time `text` appeared on stdout. */
  readonly waitFor: (text: string, timeoutMs?: number) => Promise<number>
  /** Sends `signal` and returns the time it was sent. */
  readonly kill: (signal: "SIGTERM" | "SIGINT" | "SIGKILL") => number
  readonly exited: Promise<Ended>
  /** Whether the process is still alive after `ms` more milliseconds. */
  readonly aliveAfter: (ms: number) => Promise<boolean>
}

const live = new Set<ChildProcess>()

/** Kills what a test left running (a baseline that never exits on its own). */
export const killAll = () => {
  for (const child of live) process.kill(child.pid!, "SIGKILL")
  live.clear()
}

export const parseSummary = (stderr: string): Main.Summary | undefined => {
  for (const line of stderr.split("\n").reverse()) {
    if (!line.startsWith("{")) continue
    try {
      const value = JSON.parse(line)
      if (value?.event === "exit") return value
    } catch {
      // not the summary
    }
  }
  return undefined
}

export const start = async (
  runtime: RuntimeName,
  fixture: Fixture,
  scenario: string,
  env: Readonly<Record<string, string>> = {}
): Promise<Child> => {
  const [binary, ...args] = await command(runtime, fixture)
  const child = spawn(binary!, [...args, scenario], {
    cwd: packageDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...env }
  })
  live.add(child)
  let stdout = ""
  let stderr = ""
  const waiters: Array<{ text: string; resolve: (at: number) => void }> = []
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
    const at = performance.now()
    for (const waiter of waiters.splice(0)) {
      if (stdout.includes(waiter.text)) waiter.resolve(at)
      else waiters.push(waiter)
    }
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
  const exited = new Promise<Ended>((resolve) =>
    child.on("close", (code, signal) => {
      live.delete(child)
      resolve({ code, signal, at: performance.now(), stdout, stderr, summary: parseSummary(stderr) })
    })
  )
  let done = false
  void exited.then(() => done = true)
  return {
    runtime,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (text, timeoutMs = 20_000) =>
      stdout.includes(text) ? Promise.resolve(performance.now()) : new Promise((resolve, reject) => {
        const fail = (why: string) => reject(new Error(`${runtime} ${scenario}: ${why}; stderr: ${stderr}`))
        const timer = setTimeout(() => fail(`no "${text}" after ${timeoutMs} ms`), timeoutMs)
        waiters.push({ text, resolve: (at) => (clearTimeout(timer), resolve(at)) })
        void exited.then((ended) => {
          if (ended.stdout.includes(text)) return
          clearTimeout(timer)
          fail(`ended (${ended.code ?? ended.signal}) before "${text}"`)
        })
      }),
    kill: (signal) => {
      const at = performance.now()
      // Not `child.kill`: under Deno's Node compatibility it sends one signal per child at most and then
      // reports the exit as caused by that signal, whatever the exit code was.
      process.kill(child.pid!, signal)
      return at
    },
    exited,
    aliveAfter: (ms) => new Promise((resolve) => setTimeout(() => resolve(!done), ms))
  }
}

/** Runs a fixture to its end with no signal. */
export const runToEnd = async (runtime: RuntimeName, fixture: Fixture, scenario: string) => {
  const child = await start(runtime, fixture, scenario)
  const started = performance.now()
  const ended = await child.exited
  return { ...ended, wallMs: ended.at - started }
}
