/**
 * Runs an example as a real child process and reads its summary line. Shared by the end-to-end tests and
 * `pnpm demo`, so both see exactly what a user running the example sees.
 */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Summary } from "./Example.ts"

export type { Summary }

export const examplesDir: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * A run as the parent sees it. The summary carries the example's figures `F`; a run ended by a watchdog or
 * a crash carries only those recorded so far, hence `Partial`.
 */
export interface Run<F extends object = object> {
  readonly summary: (Summary & Partial<F>) | undefined
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly wallMs: number
}

export interface Options {
  /** A last-resort bound for the caller; the example's own watchdog is expected to end it first. */
  readonly killAfterMs?: number
  readonly env?: Record<string, string>
}

/**
 * Starts `file` with Node and tsx's loader in the same process (so signals reach the example itself, not a
 * wrapper) and resolves when it exits.
 */
export const runScript = <F extends object = object>(
  file: string,
  args: ReadonlyArray<string> = [],
  options: Options = {}
): Promise<Run<F>> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
      cwd: examplesDir,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.stderr.on("data", (b: Buffer) => err.push(b))
    const killer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 120_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(killer)
      const stdout = Buffer.concat(out).toString("utf8")
      resolve({
        summary: lastSummary<F>(stdout),
        code,
        signal,
        stdout,
        stderr: Buffer.concat(err).toString("utf8"),
        wallMs: Math.round(performance.now() - started)
      })
    })
  })

/** Starts `examples/<name>/main.ts`; see `runScript`. */
export const runExample = <F extends object = object>(
  name: string,
  args: ReadonlyArray<string> = [],
  options: Options = {}
): Promise<Run<F>> => runScript<F>(path.join(examplesDir, name, "main.ts"), args, options)

/** The last line of `stdout` that parses as an example summary. */
export const lastSummary = <F extends object = object>(stdout: string): (Summary & Partial<F>) | undefined => {
  const lines = stdout.trimEnd().split("\n")
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim()
    if (!line.startsWith("{")) continue
    try {
      const value: unknown = JSON.parse(line)
      if (isSummary(value)) return value as Summary & Partial<F>
    } catch {
      // not a summary line
    }
  }
  return undefined
}

const isSummary = (value: unknown): value is Summary =>
  typeof value === "object" && value !== null && "example" in value && typeof value.example === "string" &&
  "outcome" in value && typeof value.outcome === "string" && "exitCode" in value &&
  typeof value.exitCode === "number"
