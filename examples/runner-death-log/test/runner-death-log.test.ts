/**
 * End-to-end: the replay runs as a real process — the controller — with real runner child processes, one of
 * them really SIGKILLed, exactly as `pnpm demo` runs it; these tests read its summary line and parse every line
 * of its real stdout.
 */
import { describe, expect, it } from "vitest"
import { expected } from "../../incidents.ts"
import { runExample } from "../../shared/Spawn.ts"
import * as Audit from "../audit.ts"
import type { LifelineFigures, NaiveFigures } from "../judge.ts"
import * as Replay from "../replay.ts"
import * as Runner from "../runner.ts"

const name = "runner-death-log"

/** The controller's log lines: stdout without the summary line. */
const logLines = (stdout: string): ReadonlyArray<string> =>
  stdout.trimEnd().split("\n").filter((line) => line !== "" && !line.startsWith('{"example"'))

describe("runner-death-log", () => {
  it("the Lifeline controller re-emits one record per dead runner, ending with its last line, and none for the clean one", async () => {
    const run = await runExample<LifelineFigures>(name, [], { killAfterMs: 60_000 })
    const s = run.summary!
    console.log("lifeline summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "lifeline"))
    expect(run.code).toBe(0)
    expect(s.wallMs).toBeLessThan(10_000)

    const [killed, crashed, clean] = s.runners!
    for (const r of s.runners!) {
      console.log(
        `${r.pod} (${r.fate}, ${r.ended}): ${r.records} record(s), ${r.linesRecovered} of ${r.linesWritten} lines, ` +
          `${r.bytesRecovered} bytes, last line matched: ${r.lastLineMatched}, seen ${r.observations} times, ` +
          `reaped after ${r.reapedAfterMs} ms`
      )
      expect(r.endedAsPlanned).toBe(true)
      expect(r.observations).toBeGreaterThanOrEqual(2)
    }
    // SIGKILLed mid-job after long lines: the byte bound decides, and the tail ends with the last line written.
    expect(killed).toMatchObject({ ended: "signal SIGKILL", records: 1, lastLineMatched: true, unwrittenLines: 0 })
    expect(killed!.bytesRecovered).toBeLessThanOrEqual(Replay.tailMaxBytes)
    expect(killed!.bytesRecovered).toBeGreaterThan(Replay.tailMaxBytes - 4_000)
    expect(killed!.linesRecovered).toBeLessThan(Replay.tailMaxLines)
    // Exit 1 after 2 002 short lines: the line bound decides.
    expect(crashed).toMatchObject({ ended: "exit 1", records: 1, linesRecovered: 200, lastLineMatched: true })
    // Exit 0 although its tests failed: skipped.
    expect(clean).toMatchObject({ ended: "exit 0", records: 0 })
    // Every observation after the first report was recognised and not emitted again.
    console.log(`duplicates suppressed: ${s.duplicatesSuppressed}`)
    expect(s.duplicatesSuppressed).toBe(killed!.observations + crashed!.observations)

    // The real stdout: nothing but log entries, two of them records, whatever the runners printed.
    const lines = logLines(run.stdout)
    expect(lines.map(Audit.parseEntry).filter((e) => e === undefined)).toEqual([])
    const records = lines.map(Audit.parseEntry).filter((e) => e?.["message"] === "death log captured")
    expect(records.map((r) => r!["level"])).toEqual(["ERROR", "ERROR"])
    expect(records.map((r) => JSON.parse(r!["tags"]!).pod).sort()).toEqual(["linux-large-1", "linux-large-2"])
    const killedRecord = records.find((r) => r!["tags"]!.includes("linux-large-1"))!
    expect(killedRecord["signal"]).toBe("SIGKILL")
    const kept: ReadonlyArray<string> = JSON.parse(killedRecord["lines"]!)
    expect(kept.at(-1)).toBe(Runner.trailOf("linux-large-1", "killed").at(-1))
    console.log(`the killed runner's record ends with: ${kept.at(-1)}`)

    // The workflow's hostile lines are in the record as escaped text, and nowhere raw.
    console.log(`hostile lines kept as data: ${killed!.hostileLinesRecovered}`)
    expect(killed!.hostileLinesRecovered).toBe(Runner.hostileLines.length)
    expect(kept).toContain("\\u001b[2J\\u001b[H\\u001b[1;32m✔ all checks passed\\u001b[0m")
    expect(run.stdout.includes("\u001b") || run.stdout.includes("\r")).toBe(false)
    expect(lines.filter((line) => !line.startsWith("timestamp="))).toEqual([])
  })

  it("the naive controller says how each runner ended, and the reap takes the only copy of why", async () => {
    const run = await runExample<NaiveFigures>(name, ["--naive"], { killAfterMs: 60_000 })
    const s = run.summary!
    console.log("naive summary:", JSON.stringify(s))
    expect(s, run.stderr).toMatchObject(expected(name, "naive"))
    expect(run.code).toBe(1)
    expect(s.wallMs).toBeLessThan(10_000)

    // The trail existed, on the node: each container log held every line its runner wrote, until the reap.
    for (const r of s.runners!) {
      const reaped = s.containerLogLinesReaped![r.pod]
      console.log(`${r.pod} (${r.fate}, ${r.ended}): its container log held ${reaped} lines when it was reaped`)
      expect(r.endedAsPlanned).toBe(true)
      expect(reaped).toBe(r.linesWritten)
      expect(r.records).toBe(0)
    }
    expect(s.containerLogsLeft).toBe(0)

    // The controller's durable log knows each death, several times over, and not one line of its trail.
    const lines = logLines(run.stdout)
    const ends = lines.filter((line) => line.includes('message="runner ended abnormally"'))
    console.log(`the controller logged ${ends.length} "runner ended abnormally" lines for 2 deaths`)
    expect(ends.filter((line) => line.includes("pod=linux-large-1")).length).toBeGreaterThanOrEqual(2)
    expect(ends.filter((line) => line.includes("pod=linux-large-2")).length).toBeGreaterThanOrEqual(2)
    expect(run.stdout).not.toContain("job step")
    expect(run.stdout).not.toContain("death log captured")
  })
})
