/**
 * End-to-end: the replay runs as a real process against its real blackhole control plane, exactly as
 * `pnpm demo` runs it; these tests read its summary line and its stdout.
 */
import { describe, expect, it } from "vitest"
import { expected } from "../../incidents.ts"
import { runExample } from "../../shared/Spawn.ts"
import type { LifelineFigures, NaiveFigures } from "../judge.ts"

const name = "runner-shutdown-hang"

const countLines = (stdout: string, pattern: RegExp): number =>
  stdout.split("\n").filter((line) => pattern.test(line)).length

describe("runner-shutdown-hang", () => {
  it("the Lifeline runner exits 0 within the flush deadline, counts what it dropped and keeps every line on stdout", async () => {
    const run = await runExample<LifelineFigures>(name, [], { killAfterMs: 60_000 })
    const s = run.summary!
    console.log("lifeline summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "lifeline"))
    expect(run.code).toBe(0)

    // Shutdown is bounded by the flush deadline (+ the deadline grace), not by the stalled peer.
    console.log(
      `shutdown took ${s.shutdownMs} ms (flush timeout ${s.flushTimeoutMs} ms, limit ${s.shutdownLimitMs} ms)`
    )
    expect(s.shutdownMs).toBeLessThanOrEqual(s.shutdownLimitMs! + 1_500)

    // The peer stopped reading after a few MB: most remote copies were dropped, and every one is counted.
    console.log(`remote: ${s.remoteShipped} shipped, ${s.remoteDropped} dropped of ${s.linesLogged}`)
    expect(s.remoteDropped).toBeGreaterThan(0)
    expect(s.remoteShipped! + s.remoteDropped!).toBe(s.linesLogged)

    // Local stdout is the copy Kubernetes keeps: it has every line.
    const local = countLines(run.stdout, /message="(execution started|hibernated workload|execution completed)"/)
    console.log(`stdout lines: ${local} of ${s.linesLogged}`)
    expect(local).toBe(s.linesLogged)
    expect(countLines(run.stdout, /message="execution completed"/)).toBe(1)
  })

  it("the naive runner completes its work, then hangs at shutdown until its watchdog ends it", async () => {
    const run = await runExample<NaiveFigures>(name, ["--naive"], { killAfterMs: 60_000 })
    const s = run.summary!
    console.log("naive summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "naive"))
    expect(s.watchdog).toBe("time")
    expect(run.code).toBe(124)
    // The work itself finished: the hang is after "execution completed", in the log sink's stop.
    expect(typeof s.completedAfterMs).toBe("number")
    expect(run.stdout).toContain(`message="execution completed"`)
    // Entries were still waiting for a stream that would never take them.
    console.log(`remote: ${s.remoteBytesAccepted} bytes accepted, ${s.remotePending} entries pending`)
    expect(s.remotePending).toBeGreaterThan(0)
  })
})
