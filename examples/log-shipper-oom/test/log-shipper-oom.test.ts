import { describe, expect, it } from "vitest"
import { runExample } from "../../shared/Spawn.ts"

describe("log-shipper-oom (seed 004)", () => {
  it("the Lifeline runner keeps peak memory under the formula, flushes within its deadline and ships no fabricated line", async () => {
    const run = await runExample("log-shipper-oom", [], {
      killAfterMs: 90_000
    })
    const s = run.summary!
    console.log("lifeline summary:", JSON.stringify(s))
    expect(s.outcome).toBe("ok")
    expect(s.exitCode).toBe(0)
    expect(run.code).toBe(0)
    expect(s["jobMb"] as number).toBeGreaterThanOrEqual(50)

    console.log(
      `peak RSS ${s.peakRssMb} MiB, bound ${s["rssBoundMb"]} MiB (baseline ${s["baselineRssMb"]})`
    )
    expect(s.peakRssMb).toBeLessThanOrEqual(s["rssBoundMb"] as number)

    const flushMs = s["flushMs"] as number
    console.log(
      `flush took ${flushMs} ms (flush timeout ${s["flushTimeoutMs"]} ms)`
    )
    expect(flushMs).toBeLessThanOrEqual(
      (s["flushTimeoutMs"] as number) + 1_000 + 1_500
    )

    // Every line the API received is a produced line or a flagged prefix of one.
    const received = s["linesReceived"] as number
    console.log(
      `API received ${received} lines: ${s["exactLines"]} exact, ${s["truncatedPrefixes"]} truncated`
    )
    expect(received).toBeGreaterThan(0)
    expect(s["fabricatedLines"]).toBe(0)
    expect((s["exactLines"] as number) + (s["truncatedPrefixes"] as number))
      .toBe(received)
    // Lines over the cap were cut and flagged, and a full buffer dropped whole lines, counted.
    expect(s["bufferTruncatedLines"] as number).toBeGreaterThan(0)
    expect(s["bufferDroppedLines"] as number).toBeGreaterThan(0)
  })

  it("the naive runner's memory climbs until its watchdog stops it", async () => {
    const run = await runExample("log-shipper-oom", ["--naive"], {
      killAfterMs: 90_000
    })
    const s = run.summary!
    console.log("naive summary:", JSON.stringify(s))
    expect(s.outcome).toBe("oom")
    expect(s.watchdog).toBe("memory")
    expect(run.code).toBe(124)
    console.log(
      `naive peak RSS ${s.peakRssMb} MiB: ${s["pendingMb"]} MiB of output waiting to be drained, ` +
        `${s["unshippedLines"]} lines waiting to be shipped`
    )
    expect(s.peakRssMb).toBeGreaterThanOrEqual(320)
    // Long lines were shipped as several lines: the API got lines the job never wrote.
    console.log(
      `the API received ${s["linesReceived"]} lines, ${s["fabricatedLines"]} of them never written by the job`
    )
    expect(s["fabricatedLines"] as number).toBeGreaterThan(0)
  })
})
