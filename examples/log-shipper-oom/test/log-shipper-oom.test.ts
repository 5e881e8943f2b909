/**
 * End-to-end: the replay runs as a real process, with the real job process, the real loopback connection
 * and the real slow API, exactly as `pnpm demo` runs it; these tests read its summary line.
 */
import { describe, expect, it } from "vitest"
import { expected } from "../../incidents.ts"
import { runExample } from "../../shared/Spawn.ts"
import type { LifelineFigures, NaiveFigures } from "../judge.ts"

const name = "log-shipper-oom"

describe("log-shipper-oom", () => {
  it("the Lifeline runner keeps peak memory under the formula, flushes within its deadline and ships no fabricated line", async () => {
    const run = await runExample<LifelineFigures>(name, [], { killAfterMs: 90_000 })
    const s = run.summary!
    console.log("lifeline summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "lifeline"))
    expect(run.code).toBe(0)
    expect(s.jobMb).toBeGreaterThanOrEqual(50)

    console.log(`peak RSS ${s.peakRssMb} MiB, bound ${s.rssBoundMb} MiB (baseline ${s.baselineRssMb})`)
    expect(s.peakRssMb).toBeLessThanOrEqual(s.rssBoundMb!)

    console.log(`flush took ${s.flushMs} ms (flush timeout ${s.flushTimeoutMs} ms, limit ${s.flushLimitMs} ms)`)
    expect(s.flushMs).toBeLessThanOrEqual(s.flushLimitMs! + 1_500)

    // Every line the API received is a produced line or a flagged prefix of one.
    console.log(`API received ${s.linesReceived} lines: ${s.exactLines} exact, ${s.truncatedPrefixes} truncated`)
    expect(s.linesReceived).toBeGreaterThan(0)
    expect(s.fabricatedLines).toBe(0)
    expect(s.exactLines! + s.truncatedPrefixes!).toBe(s.linesReceived)
    // Lines over the cap were cut and flagged, and a full buffer dropped whole lines, counted.
    expect(s.bufferTruncatedLines).toBeGreaterThan(0)
    expect(s.bufferDroppedLines).toBeGreaterThan(0)
  })

  it("the naive runner's memory climbs until its watchdog stops it", async () => {
    const run = await runExample<NaiveFigures>(name, ["--naive"], { killAfterMs: 90_000 })
    const s = run.summary!
    console.log("naive summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "naive"))
    expect(s.watchdog).toBe("memory")
    expect(run.code).toBe(124)
    console.log(
      `naive peak RSS ${s.peakRssMb} MiB: ${s.pendingMb} MiB of output waiting to be drained, ` +
        `${s.unshippedLines} lines waiting to be shipped`
    )
    expect(s.peakRssMb).toBeGreaterThanOrEqual(320)
    // Long lines were shipped as several lines: the API got lines the job never wrote.
    console.log(`the API received ${s.linesReceived} lines, ${s.fabricatedLines} of them never written by the job`)
    expect(s.fabricatedLines).toBeGreaterThan(0)
  })

  it("a job that dies before it connects ends the run at once as crashed, with the job's error", async () => {
    // `--mb nope` reaches the job, which refuses it and exits 2 before connecting to the runner.
    const [lifeline, naive] = await Promise.all([
      runExample(name, ["--mb", "nope"], { killAfterMs: 90_000 }),
      runExample(name, ["--naive", "--mb", "nope"], { killAfterMs: 90_000 })
    ])
    for (const run of [lifeline, naive]) {
      const s = run.summary
      console.log(`${s?.mode}: ${JSON.stringify(s)}; the process took ${run.wallMs} ms`)
      expect(s, run.stderr).toMatchObject({ outcome: "crashed", exitCode: 70 })
      expect(run.code).toBe(70)
      expect(s!.error).toContain("the job did not start")
      expect(run.stderr).toContain("exited with code 2 before it connected")
      expect(run.stderr).toContain("--mb must be a positive number of MiB")
      // Its watchdogs are at 45 s (naive) and 60 s (Lifeline): the error is reported when it happens.
      expect(s!.wallMs).toBeLessThan(15_000)
    }
  })
})
