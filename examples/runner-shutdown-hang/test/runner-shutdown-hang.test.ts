import { describe, expect, it } from "vitest"
import { runExample } from "../../shared/Spawn.ts"

const countLines = (stdout: string, pattern: RegExp): number =>
  stdout.split("\n").filter((line) => pattern.test(line)).length

describe("runner-shutdown-hang (seed 000)", () => {
  it("the Lifeline runner exits 0 within the flush deadline, counts what it dropped and keeps every line on stdout", async () => {
    const run = await runExample("runner-shutdown-hang", [], {
      killAfterMs: 60_000
    })
    const s = run.summary!
    console.log("lifeline summary:", JSON.stringify(s))
    expect(s.outcome).toBe("ok")
    expect(s.exitCode).toBe(0)
    expect(run.code).toBe(0)

    // Shutdown is bounded by the flush deadline (+ the deadline grace), not by the stalled peer.
    const shutdownMs = s["shutdownMs"] as number
    const flushTimeoutMs = s["flushTimeoutMs"] as number
    console.log(
      `shutdown took ${shutdownMs} ms (flush timeout ${flushTimeoutMs} ms)`
    )
    expect(shutdownMs).toBeLessThanOrEqual(flushTimeoutMs + 1_000 + 1_500)

    // The peer stopped reading after a few MB: most remote copies were dropped, and every one is counted.
    const linesLogged = s["linesLogged"] as number
    const shipped = s["remoteShipped"] as number
    const dropped = s["remoteDropped"] as number
    console.log(
      `remote: ${shipped} shipped, ${dropped} dropped of ${linesLogged}`
    )
    expect(dropped).toBeGreaterThan(0)
    expect(shipped + dropped).toBe(linesLogged)

    // Local stdout is the copy Kubernetes keeps: it has every line.
    const local = countLines(
      run.stdout,
      /message="(execution started|hibernated workload|execution completed)"/
    )
    console.log(`stdout lines: ${local} of ${linesLogged}`)
    expect(local).toBe(linesLogged)
    expect(countLines(run.stdout, /message="execution completed"/)).toBe(1)
  })

  it("the naive runner completes its work, then hangs at shutdown until its watchdog ends it", async () => {
    const run = await runExample("runner-shutdown-hang", ["--naive"], {
      killAfterMs: 60_000
    })
    const s = run.summary!
    console.log("naive summary:", JSON.stringify(s))
    expect(s.outcome).toBe("hung")
    expect(s.watchdog).toBe("time")
    expect(run.code).toBe(124)
    // The work itself finished: the hang is after "execution completed", in the log sink's stop.
    expect(typeof s["completedAfterMs"]).toBe("number")
    expect(run.stdout).toContain(`message="execution completed"`)
    // Entries were still waiting for a stream that would never take them.
    console.log(
      `remote: ${s["remoteBytesAccepted"]} bytes accepted, ${s["remotePending"]} entries pending`
    )
    expect(s["remotePending"] as number).toBeGreaterThan(0)
  })
})
