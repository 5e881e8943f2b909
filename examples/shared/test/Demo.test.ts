/**
 * How `pnpm demo` judges runs (by outcome and exit code together, against the incident list), and that the
 * list and the folders under `examples/` agree.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { incident, incidents, runsOf } from "../../incidents.ts"
import * as Demo from "../Demo.ts"
import type { Summary } from "../Example.ts"
import { examplesDir } from "../Spawn.ts"

const summary = (fields: Partial<Summary>): Summary => ({
  example: "log-shipper-oom",
  mode: "lifeline",
  outcome: "ok",
  exitCode: 0,
  wallMs: 5_000,
  peakRssMb: 200,
  ...fields
})

const shipper = incident("log-shipper-oom")
const [naiveRun, lifelineRun] = runsOf(shipper)

describe("judging a demo run", () => {
  it("a run with the expected outcome and exit code is as expected", () => {
    expect(Demo.deviation({ outcome: "ok", exitCode: 0 }, { summary: summary({}), code: 0 })).toBeUndefined()
    expect(
      Demo.deviation({ outcome: "oom", exitCode: 124 }, {
        summary: summary({ mode: "naive", outcome: "oom", exitCode: 124 }),
        code: 124
      })
    ).toBeUndefined()
  })

  it("a crashed Lifeline run deviates", () => {
    const why = Demo.deviation({ outcome: "ok", exitCode: 0 }, {
      summary: summary({ outcome: "crashed", exitCode: 70 }),
      code: 70
    })
    expect(why).toBe("expected ok with exit 0, got crashed with exit 70")
  })

  it("an ok that exits non-zero deviates: the exit code is judged, not only the outcome", () => {
    expect(Demo.deviation({ outcome: "ok", exitCode: 0 }, { summary: summary({ exitCode: 1 }), code: 1 }))
      .toBe("expected ok with exit 0, got ok with exit 1")
  })

  it("the naive outcome with the wrong exit code deviates", () => {
    expect(
      Demo.deviation({ outcome: "oom", exitCode: 124 }, {
        summary: summary({ mode: "naive", outcome: "oom", exitCode: 1 }),
        code: 1
      })
    ).toContain("got oom with exit 1")
  })

  it("a process whose exit code contradicts its summary deviates", () => {
    expect(Demo.deviation({ outcome: "ok", exitCode: 0 }, { summary: summary({}), code: 137 }))
      .toBe("its summary says exit 0, the process exited 137")
  })

  it("a run that printed no summary deviates", () => {
    expect(Demo.deviation({ outcome: "ok", exitCode: 0 }, { summary: undefined, code: null }))
      .toBe("printed no summary line (process exit null)")
  })

  it("the table shows each incident's runs side by side and marks a deviating row", () => {
    const results: ReadonlyArray<Demo.Result> = [
      {
        incident: shipper,
        run: naiveRun!,
        summary: summary({ mode: "naive", outcome: "oom", exitCode: 124, peakRssMb: 330 }),
        code: 124
      },
      { incident: shipper, run: lifelineRun!, summary: summary({ outcome: "crashed", exitCode: 70 }), code: 70 }
    ]
    const table = Demo.table(results)
    console.log(table)
    expect(table).toContain("004 log-shipper-oom")
    expect(table).toContain("crashed ✗ (expected ok)")
    expect(table).toContain("124 / 70")
    expect(table).toContain("330 / 200")
    expect(table).toContain("DEVIATES")
    expect(Demo.deviations(results)).toEqual([
      "log-shipper-oom lifeline: expected ok with exit 0, got crashed with exit 70"
    ])
  })

  it("a variant gets its own row", () => {
    const patrol = incident("patrol-loop-stall")
    const results = runsOf(patrol).map((run): Demo.Result => ({
      incident: patrol,
      run,
      summary: summary({ example: patrol.name, mode: run.mode, ...run.expected }),
      code: run.expected.exitCode
    }))
    const table = Demo.table(results)
    console.log(table)
    expect(table).toContain("001 patrol-loop-stall --wedge")
    expect(table).not.toContain("DEVIATES")
    expect(Demo.deviations(results)).toEqual([])
    expect(Demo.jsonLines(results).split("\n").map((line) => JSON.parse(line).outcome)).toEqual([
      "stalled",
      "ok",
      "ok"
    ])
  })
})

describe("the demo's progress lines", () => {
  const patrol = incident("patrol-loop-stall")
  const wedge = runsOf(patrol).find((r) => r.label === "wedge")!
  const at: Demo.Position = { index: 3, total: 12 }

  it("the live line says which run of how many, the incident, the mode and the time so far", () => {
    const line = Demo.liveLine(at, patrol, wedge, 2_450, 120)
    expect(line).toMatch(/^. \[3\/12\] patrol-loop-stall wedge \(lifeline: --wedge\) · 2\.5 s$/)
    expect(Demo.liveLine(at, shipper, naiveRun!, 0, 120)).toContain("log-shipper-oom naive · 0.0 s")
  })

  it("the live line never wraps, so it can be redrawn in place", () => {
    for (const columns of [10, 30, 45, 80]) {
      const line = Demo.liveLine(at, patrol, wedge, 123_456, columns)
      expect([...line].length).toBeLessThan(Math.max(columns, 21))
      expect(line).not.toContain("\n")
    }
    // A terminal that does not say how wide it is (as under `script`) is taken to be 80 columns.
    expect(Demo.liveLine(at, patrol, wedge, 123_456, 0)).toBe(Demo.liveLine(at, patrol, wedge, 123_456, 80))
  })

  it("off a terminal each run gets a plain start line and an end line that says whether it is as expected", () => {
    expect(Demo.startLine(at, patrol, wedge)).toBe("[3/12] patrol-loop-stall wedge (lifeline: --wedge): running")
    const ok: Demo.Result = { incident: shipper, run: lifelineRun!, summary: summary({}), code: 0 }
    expect(Demo.doneLine(at, ok, 9_247)).toBe("✓ [3/12] log-shipper-oom lifeline: ok, exit 0, 9.2 s")
    const bad: Demo.Result = { ...ok, summary: summary({ outcome: "crashed", exitCode: 70 }), code: 70 }
    expect(Demo.doneLine(at, bad, 1_000)).toBe(
      "✗ [3/12] log-shipper-oom lifeline: crashed, exit 70, 1.0 s — DEVIATES: expected ok with exit 0, got crashed with exit 70"
    )
  })

  it("--record keeps one file per run, under the example's folder, named by the run's label", () => {
    expect(Demo.recordingFile("/repo/docs/recordings", patrol, wedge)).toBe(
      path.join("/repo/docs/recordings", "patrol-loop-stall", "wedge.json")
    )
  })
})

describe("the incident list", () => {
  const folders = fs.readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(examplesDir, entry.name, "main.ts")))
    .map((entry) => entry.name)

  it("lists every example folder, and every replay it calls ready has one", () => {
    expect(folders.filter((f) => !incidents.some((i) => i.name === f))).toEqual([])
    for (const i of incidents) {
      expect(folders.includes(i.name), `${i.name} is ${i.replay}`).toBe(i.replay === "ready")
    }
  })

  it("gives every run a distinct label and an exit code that agrees with its outcome", () => {
    for (const i of incidents) {
      const runs = runsOf(i)
      expect(new Set(runs.map((r) => r.label)).size).toBe(runs.length)
      for (const run of runs) {
        const { exitCode, outcome } = run.expected
        if (outcome === "ok") expect(exitCode).toBe(0)
        else expect(exitCode).not.toBe(0)
      }
    }
  })

  it("is the only place demo variants are declared", () => {
    expect(folders.filter((f) => fs.existsSync(path.join(examplesDir, f, "demo.json")))).toEqual([])
  })
})
