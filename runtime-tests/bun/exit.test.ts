/**
 * `@lifeline/exit` on Bun: a real SIGTERM to a real Bun process running `Main.run` ends it with exit 0, its
 * finalizer run and the summary line written. Started and signalled with `Bun.spawn`.
 */
// @ts-ignore: bun:test exists only under Bun
import { expect, test } from "bun:test"
import { type Ended, exitSummary, fixture } from "../patterns.ts"

interface Subprocess {
  readonly stdout: ReadableStream<Uint8Array>
  readonly stderr: ReadableStream<Uint8Array>
  readonly exited: Promise<number>
  readonly exitCode: number | null
  readonly signalCode: string | null
  kill(signal?: string): void
}
declare const Bun: {
  spawn(command: ReadonlyArray<string>, options: Record<string, unknown>): Subprocess
}

test("exit: SIGTERM to a Main.run process runs its finalizers and exits 0 with the summary line", async () => {
  const child = Bun.spawn([process.execPath, fixture("main-run.ts")], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" }
  })
  const stderr = new Response(child.stderr).text()
  let stdout = ""
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000)
  while (!stdout.includes("ready")) {
    const { done, value } = await reader.read()
    if (done) break
    stdout += decoder.decode(value, { stream: true })
  }
  expect(stdout).toContain("ready")
  const signalledAt = performance.now()
  child.kill("SIGTERM")
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    stdout += decoder.decode(value, { stream: true })
  }
  await child.exited
  clearTimeout(deadline)
  const ended: Ended = {
    code: child.exitCode,
    signal: child.signalCode,
    stdout,
    stderr: await stderr,
    elapsedMs: Math.round(performance.now() - signalledAt)
  }
  console.log(`bun ${process.versions.bun}: ${exitSummary(ended)}`)
}, 25_000)
