/**
 * End-to-end: the replay runs as a real process, exactly as `pnpm demo` runs it; it starts the load generator as
 * a real child process against a real loopback endpoint, sends it a real SIGTERM, and reports the exit code the
 * child really ended with. These tests read the replay's summary line and exit code, and the child's output.
 */
import { Duration } from "effect"
import { describe, expect, it } from "vitest"
import { expected } from "../../incidents.ts"
import { runExample } from "../../shared/Spawn.ts"
import type { LifelineFigures, NaiveFigures } from "../judge.ts"
import * as Replay from "../replay.ts"

const name = "loadgen-exit-code"
const options = { killAfterMs: 60_000 }

describe("loadgen-exit-code", () => {
  it("naive: a graceful SIGTERM ends the run with its final stats, then exit 1", async () => {
    const run = await runExample<NaiveFigures>(name, ["--naive"], options)
    const s = run.summary!
    console.log("naive summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "naive"))
    expect(run.code).toBe(1)
    console.log(
      `SIGTERM → exit ${s.loadgenExitCode} in ${s.sigtermToExitMs} ms; final stats ${JSON.stringify(s.finalStats)}`
    )
    expect(s.sigtermSent).toBe(true)
    expect(s.loadgenExitCode).toBe(1)
    expect(s.fatal).toMatch(/: context canceled$/)
    // The run itself was healthy: it sent its load and printed its final stats.
    expect(s.finalStats!.accepted).toBeGreaterThan(0)
    expect(s.finalStats!.rejected).toBe(0)
  })

  it("Lifeline: the same SIGTERM ends the run with its final stats, then exit 0, reason signal", async () => {
    const run = await runExample<LifelineFigures>(name, [], options)
    const s = run.summary!
    console.log("lifeline summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "lifeline"))
    expect(run.code).toBe(0)
    console.log(
      `SIGTERM → exit ${s.loadgenExitCode} in ${s.sigtermToExitMs} ms; final stats ${JSON.stringify(s.finalStats)}`
    )
    expect(s.sigtermSent).toBe(true)
    expect(s.loadgenExitCode).toBe(0)
    expect(s.exitSummary).toMatchObject({ code: 0, reason: "signal", signal: "SIGTERM" })
    // Well within Main.run's grace period: the finalizer only prints.
    expect(s.sigtermToExitMs).toBeLessThan(Duration.toMillis(Replay.gracePeriod))
    // Printed by the process before it exited: the kubelet read it from the container's output.
    expect(s.finalStats!.accepted).toBeGreaterThan(0)
    expect(run.stdout).toMatch(/^loadgen \| .*message="final stats"/m)
  })

  it("naive --duration: the run's own deadline ends it, and it exits 1 all the same", async () => {
    const run = await runExample<NaiveFigures>(name, ["--naive", "--duration", "1500ms"], options)
    const s = run.summary!
    console.log("naive --duration summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "naive-duration"))
    expect(run.code).toBe(1)
    console.log(`ended by itself after ${s.loadgenExitedAfterMs} ms with exit ${s.loadgenExitCode}`)
    expect(s.sigtermSent).toBe(false)
    expect(s.loadgenExitCode).toBe(1)
    expect(s.fatal).toMatch(/: context deadline exceeded$/)
    expect(s.finalStats!.accepted).toBeGreaterThan(0)
  })

  it("Lifeline --duration: runFor ends the run before the Job's deadline, exit 0, reason duration", async () => {
    const run = await runExample<LifelineFigures>(name, ["--duration", "1500ms"], options)
    const s = run.summary!
    console.log("lifeline --duration summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "duration"))
    expect(run.code).toBe(0)
    console.log(
      `ended by itself after ${s.exitSummary?.elapsedMs} ms (runFor 1500 ms), no SIGTERM;`,
      `the Job's deadline was at ${s.sigtermAtMs} ms`
    )
    expect(s.sigtermSent).toBe(false)
    expect(s.loadgenExitCode).toBe(0)
    expect(s.exitSummary).toMatchObject({ code: 0, reason: "duration" })
    expect(s.exitSummary!.elapsedMs).toBeGreaterThanOrEqual(1_500)
    expect(s.finalStats!.accepted).toBeGreaterThan(0)
  })

  it("Lifeline against a refusing endpoint: exit 1 by itself, fast, with the cause logged", async () => {
    const run = await runExample<LifelineFigures>(name, ["--endpoint", "refused"], options)
    const s = run.summary!
    console.log("lifeline --endpoint refused summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "refused"))
    expect(run.code).toBe(0)
    const ranMs = s.loadgenExitedAfterMs! - s.loadgenStartedAfterMs!
    console.log(`exit ${s.loadgenExitCode} ${ranMs} ms after "load test started" (bound ${s.failFastWithinMs} ms)`)
    expect(s.sigtermSent).toBe(false)
    expect(s.loadgenExitCode).toBe(1)
    expect(s.exitSummary).toMatchObject({ code: 1, reason: "failed" })
    expect(ranMs).toBeLessThanOrEqual(s.failFastWithinMs!)
    expect(run.stdout).toContain("ECONNREFUSED")
    expect(s.endpointRequests).toBe(0)
  })

  it("a bad --duration ends the replay at once as crashed, naming the option", async () => {
    const run = await runExample(name, ["--duration", "soon"], options)
    console.log("bad --duration summary:", JSON.stringify(run.summary))
    expect(run.summary).toMatchObject({ outcome: "crashed", exitCode: 70 })
    expect(run.code).toBe(70)
    expect(run.summary!.error).toContain("--duration soon")
  })
})
