/**
 * Runs an example as a real child process and reads its summary line. Shared by the end-to-end tests and
 * `pnpm demo`, so both see exactly what a user running the example sees.
 */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const examplesDir: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

export interface Summary {
  readonly example: string
  readonly mode: "naive" | "lifeline"
  readonly outcome: string
  readonly exitCode: number
  readonly wallMs: number
  readonly peakRssMb: number
  readonly [figure: string]: unknown
}

export interface Run {
  readonly summary: Summary | undefined
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly wallMs: number
}

/**
 * Starts `examples/<name>/main.ts` with Node and tsx's loader in the same process (so signals reach the
 * example itself, not a wrapper) and resolves when it exits. `killAfterMs` is a last-resort bound for the
 * caller; the example's own watchdog is expected to end it first.
 */
export const runExample = (
  name: string,
  args: ReadonlyArray<string> = [],
  options: { readonly killAfterMs?: number; readonly env?: Record<string, string> } = {}
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ["--import", "tsx", path.join(examplesDir, name, "main.ts"), ...args], {
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
        summary: lastSummary(stdout),
        code,
        signal,
        stdout,
        stderr: Buffer.concat(err).toString("utf8"),
        wallMs: Math.round(performance.now() - started)
      })
    })
  })

/** The last line of `stdout` that parses as an example summary. */
export const lastSummary = (stdout: string): Summary | undefined => {
  const lines = stdout.trimEnd().split("\n")
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim()
    if (!line.startsWith("{")) continue
    try {
      const value = JSON.parse(line)
      if (value && typeof value === "object" && "example" in value && "outcome" in value) return value as Summary
    } catch {
      // not a summary line
    }
  }
  return undefined
}
