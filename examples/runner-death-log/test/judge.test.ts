import { describe, expect, it } from "vitest"
import * as Judge from "../judge.ts"

const killed: Judge.RunnerFigures = {
  pod: "linux-large-1",
  fate: "killed",
  abnormal: true,
  ended: "signal SIGKILL",
  endedAsPlanned: true,
  linesWritten: 754,
  observations: 5,
  reapedAfterMs: 309,
  records: 1,
  linesRecovered: 99,
  bytesRecovered: 62_736,
  lastLineMatched: true,
  unwrittenLines: 0,
  hostileLinesRecovered: 3
}
const crashed: Judge.RunnerFigures = {
  ...killed,
  pod: "linux-large-2",
  fate: "crashed",
  ended: "exit 1",
  linesWritten: 2_002,
  linesRecovered: 200,
  bytesRecovered: 13_121,
  hostileLinesRecovered: 0
}
const clean: Judge.RunnerFigures = {
  ...killed,
  pod: "linux-large-3",
  fate: "tests-failed",
  abnormal: false,
  ended: "exit 0",
  linesWritten: 316,
  records: 0,
  linesRecovered: 0,
  bytesRecovered: 0,
  lastLineMatched: false,
  hostileLinesRecovered: 0
}

// A Lifeline run as measured.
const lifeline: Judge.LifelineFigures & { wallMs: number; peakRssMb: number } = {
  wallMs: 1_647,
  peakRssMb: 180,
  runners: [killed, crashed, clean],
  outputLines: 2,
  unparsableLines: 0,
  rawControlChars: 0,
  records: 2,
  strayRecords: 0,
  tailMaxLines: 200,
  tailMaxBytes: 65_536,
  duplicatesSuppressed: 10
}

const withRunner = (index: number, change: Partial<Judge.RunnerFigures>) => ({
  ...lifeline,
  runners: lifeline.runners.map((r, i) => (i === index ? { ...r, ...change } : r))
})

describe("judging a runner-death-log run", () => {
  it("one record per dead runner, ending with its last line, within bounds, and nothing else is ok", () => {
    expect(Judge.lifeline(lifeline)).toBe("ok")
    expect(Judge.trail(lifeline)).toBe("ok")
  })

  it("a dead runner without a record, or whose record misses its last line, is lost-logs", () => {
    expect(Judge.lifeline({ ...withRunner(0, { records: 0, lastLineMatched: false }), records: 1 })).toBe("lost-logs")
    expect(Judge.lifeline(withRunner(1, { lastLineMatched: false }))).toBe("lost-logs")
  })

  it("a second record of the same death is not ok", () => {
    expect(Judge.lifeline({ ...withRunner(0, { records: 2 }), records: 3 })).toBe("fabricated-lines")
  })

  it("a record for the runner that exited 0 after its tests failed is not ok", () => {
    expect(Judge.lifeline({ ...withRunner(2, { records: 1 }), records: 3 })).toBe("fabricated-lines")
  })

  it("a record for no runner, or a total that does not add up, is not ok", () => {
    expect(Judge.lifeline({ ...lifeline, records: 3, strayRecords: 1 })).toBe("fabricated-lines")
    expect(Judge.lifeline({ ...lifeline, records: 3 })).toBe("fabricated-lines")
  })

  it("a recovered line the runner did not write at that position is not ok", () => {
    expect(Judge.lifeline(withRunner(0, { unwrittenLines: 1 }))).toBe("fabricated-lines")
  })

  it("an output line that is not one log entry, or that carries a raw control character, is not ok", () => {
    expect(Judge.lifeline({ ...lifeline, unparsableLines: 1 })).toBe("fabricated-lines")
    expect(Judge.lifeline({ ...lifeline, rawControlChars: 1 })).toBe("fabricated-lines")
  })

  it("a record at its bounds is ok, one line or one byte over is oom", () => {
    expect(Judge.lifeline(withRunner(0, { linesRecovered: 200, bytesRecovered: 65_536 }))).toBe("ok")
    expect(Judge.lifeline(withRunner(1, { linesRecovered: 201 }))).toBe("oom")
    expect(Judge.lifeline(withRunner(0, { bytesRecovered: 65_537 }))).toBe("oom")
  })

  it("a replay whose runners did not end as planned, or whose ends were seen only once, is crashed", () => {
    expect(Judge.lifeline(withRunner(2, { endedAsPlanned: false, ended: "exit 1" }))).toBe("crashed")
    expect(Judge.lifeline(withRunner(1, { observations: 1 }))).toBe("crashed")
    expect(Judge.lifeline({ ...lifeline, runners: [] })).toBe("crashed")
  })

  it("a Lifeline run in which no death was reported twice did not test the deduplication", () => {
    expect(Judge.lifeline({ ...lifeline, duplicatesSuppressed: 1 })).toBe("crashed")
    expect(Judge.lifeline({ ...lifeline, duplicatesSuppressed: 2 })).toBe("ok")
  })

  it("a naive run, whose controller log has no record once the pods are reaped, is lost-logs", () => {
    const gone = { records: 0, linesRecovered: 0, bytesRecovered: 0, lastLineMatched: false, hostileLinesRecovered: 0 }
    const naive: Judge.NaiveFigures & { wallMs: number; peakRssMb: number } = {
      ...lifeline,
      runners: [{ ...killed, ...gone }, { ...crashed, ...gone }, clean],
      outputLines: 15,
      records: 0,
      containerLogLinesReaped: { "linux-large-1": 754, "linux-large-2": 2_002, "linux-large-3": 316 },
      containerLogsLeft: 0
    }
    expect(Judge.naive(naive)).toBe("lost-logs")
  })
})
