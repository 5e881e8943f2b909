import { describe, expect, it } from "vitest"
import * as Judge from "../judge.ts"

const figures = { wallMs: 5_000, peakRssMb: 180, linesLogged: 10_002, completedAfterMs: 3_400, shutdownLimitMs: 3_000 }

describe("judging a runner-shutdown-hang run", () => {
  it("a runner gone within the shutdown bound is ok, one a millisecond later is hung", () => {
    expect(Judge.shutdown({ ...figures, shutdownMs: 3_000 })).toBe("ok")
    expect(Judge.shutdown({ ...figures, shutdownMs: 3_001 })).toBe("hung")
  })

  it("both modes are held to the same bound", () => {
    const naive = {
      ...figures,
      shutdownMs: 9_000,
      remoteBytesAccepted: 4e6,
      remotePending: 3_000,
      remoteStalledMs: 9e3
    }
    expect(Judge.naive(naive)).toBe("hung")
    expect(Judge.naive({ ...naive, shutdownMs: 10 })).toBe("ok")
  })
})
