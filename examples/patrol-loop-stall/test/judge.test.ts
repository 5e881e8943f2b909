import { describe, expect, it } from "vitest"
import * as Judge from "../judge.ts"

const sweeps: Judge.SweepFigures & { wallMs: number; peakRssMb: number } = {
  wallMs: 3_000,
  peakRssMb: 230,
  everyMs: 200,
  windowMs: 3_000,
  sweepsScheduled: 15,
  sweepsStarted: 15,
  sweepsCompleted: 15,
  completedRatio: 1,
  sweepsSucceeded: 11,
  ticksWithoutSweep: 0,
  sweepsTimedOut: 3,
  sweepsFailed: 0,
  defects: 1,
  stalled: false,
  healthz: { "200": 28 },
  alertApi: { requests: 15, unanswered: 3 }
}
const supervisor = { healthy: true, state: "running", missedTicks: 0, lastFailure: "timeout" }

describe("judging a patrol-loop-stall run", () => {
  it("a loop that completed most scheduled sweeps and still makes progress is ok", () => {
    expect(Judge.naive(sweeps)).toBe("ok")
    expect(Judge.lifeline({ ...sweeps, supervisor })).toBe("ok")
  })

  it("a loop stuck at the end of its window is stalled, however many sweeps it did before", () => {
    expect(Judge.naive({ ...sweeps, stalled: true, stuckStage: "collect", stuckForMs: 2_583 })).toBe("stalled")
  })

  it("a loop that completed fewer than 75% of its scheduled sweeps is stalled", () => {
    expect(Judge.lifeline({ ...sweeps, supervisor, completedRatio: 0.75 })).toBe("ok")
    expect(Judge.lifeline({ ...sweeps, supervisor, completedRatio: 0.74 })).toBe("stalled")
  })

  it("under --wedge, where the loop is meant to be stuck, a 503 after the wedge is ok and none is stalled", () => {
    const wedged = { ...sweeps, supervisor, stalled: true, completedRatio: 0.2 }
    const wedge = { atMs: 809, first503Ms: 1_306, first503AfterMs: 497, healthzAfter: { "200": 4, "503": 17 } }
    expect(Judge.lifeline({ ...wedged, wedge })).toBe("ok")
    expect(Judge.lifeline({ ...wedged, wedge: { ...wedge, first503Ms: null, first503AfterMs: null } })).toBe("stalled")
  })
})
