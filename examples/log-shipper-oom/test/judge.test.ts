import { describe, expect, it } from "vitest"
import * as Judge from "../judge.ts"

const lifeline: Judge.LifelineFigures & { wallMs: number; peakRssMb: number } = {
  wallMs: 6_000,
  peakRssMb: 206,
  jobMb: 128,
  jobLines: 494_800,
  longLinesWritten: 2_474,
  baselineRssMb: 169,
  retainedBoundMb: 27.2,
  gcHeadroomMb: 64,
  startupPeakRssMb: 169,
  rssBoundMb: 260,
  flushMs: 3_043,
  flushTimeoutMs: 3_000,
  flushLimitMs: 4_000,
  bufferDroppedLines: 426_221,
  bufferTruncatedLines: 2_474,
  shipperAccepted: 2_250,
  shipperRejected: 66_329,
  shipped: 500,
  shipperDropped: 1_750,
  linesReceived: 750,
  exactLines: 747,
  truncatedPrefixes: 3,
  fabricatedLines: 0
}

describe("judging a log-shipper-oom run", () => {
  it("a Lifeline run under its memory bound, with a bounded flush and no fabricated line, is ok", () => {
    expect(Judge.lifeline(lifeline)).toBe("ok")
  })

  it("one fabricated line is enough to fail a run, whatever else it did well", () => {
    expect(Judge.lifeline({ ...lifeline, fabricatedLines: 1 })).toBe("fabricated-lines")
    expect(Judge.lifeline({ ...lifeline, fabricatedLines: 1, peakRssMb: 900 })).toBe("fabricated-lines")
  })

  it("a peak above the formula's bound is oom, even by one MiB", () => {
    expect(Judge.lifeline({ ...lifeline, peakRssMb: 260 })).toBe("ok")
    expect(Judge.lifeline({ ...lifeline, peakRssMb: 261 })).toBe("oom")
  })

  it("a flush past its timeout and the deadline's grace is hung", () => {
    expect(Judge.lifeline({ ...lifeline, flushMs: 4_000 })).toBe("ok")
    expect(Judge.lifeline({ ...lifeline, flushMs: 4_001 })).toBe("hung")
  })

  it("a naive run that ended by itself is judged by the lines the API got", () => {
    const naive = {
      wallMs: 3_000,
      peakRssMb: 200,
      jobBytesRead: 1,
      pendingMb: 0,
      unshippedLines: 0,
      requestsCompleted: 1,
      linesReceived: 10,
      firstFabricated: null
    }
    expect(Judge.naive({ ...naive, fabricatedLines: 0 })).toBe("ok")
    expect(Judge.naive({ ...naive, fabricatedLines: 3 })).toBe("fabricated-lines")
  })
})
