/**
 * `@lifeline/exit` on Node: a real SIGTERM to a real Node process running `Main.run` (the fixture, under tsx's
 * loader as the suite is) ends it with exit 0, its finalizer run and the summary line written.
 */
import { spawn } from "node:child_process"
import { test } from "node:test"
import { type Ended, exitSummary, fixture } from "../patterns.ts"

test("exit: SIGTERM to a Main.run process runs its finalizers and exits 0 with the summary line", {
  timeout: 25_000
}, async () => {
  const child = spawn(process.execPath, ["--import", "tsx", fixture("main-run.ts")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" }
  })
  let stdout = ""
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" within 20 s; stderr: ${stderr}`)), 20_000)
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (stdout.includes("ready")) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.on("close", () => reject(new Error(`ended before "ready"; stderr: ${stderr}`)))
  })
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal }))
  )
  try {
    await ready
  } catch (error) {
    child.kill("SIGKILL")
    throw error
  }
  const signalledAt = performance.now()
  process.kill(child.pid!, "SIGTERM")
  const { code, signal } = await closed
  const ended: Ended = { code, signal, stdout, stderr, elapsedMs: Math.round(performance.now() - signalledAt) }
  console.log(`node ${process.version}: ${exitSummary(ended)}`)
})
