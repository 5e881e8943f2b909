/**
 * `@lifeline/exit` on Deno: a real SIGTERM to a real Deno process running `Main.run` ends it with exit 0, its
 * finalizer run and the summary line written. The child is `Deno.execPath()`, the real binary (the `deno` npm
 * launcher is a Node wrapper that does not forward signals), started and signalled with `Deno.Command`.
 */
import { type Ended, exitSummary, fixture } from "../patterns.ts"

Deno.test("exit: SIGTERM to a Main.run process runs its finalizers and exits 0 with the summary line", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", fixture("main-run.ts")],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" }
  }).spawn()
  const stderr = new Response(child.stderr).text()
  let stdout = ""
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader()
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000)
  while (!stdout.includes("ready")) {
    const { done, value } = await reader.read()
    if (done) break
    stdout += value
  }
  const signalledAt = performance.now()
  if (stdout.includes("ready")) child.kill("SIGTERM")
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    stdout += value
  }
  const status = await child.status
  clearTimeout(deadline)
  const ended: Ended = {
    code: status.signal === null ? status.code : null,
    signal: status.signal,
    stdout,
    stderr: await stderr,
    elapsedMs: Math.round(performance.now() - signalledAt)
  }
  if (!stdout.includes("ready")) throw new Error(`no "ready" within 20 s; stderr: ${ended.stderr}`)
  console.log(`deno ${Deno.version.deno}: ${exitSummary(ended)}`)
})
