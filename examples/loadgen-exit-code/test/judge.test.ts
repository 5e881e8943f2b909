import { describe, expect, it } from "vitest"
import * as Judge from "../judge.ts"

const measured = { wallMs: 3_000, peakRssMb: 160 }
const finalStats = { sent: 158, accepted: 157, rejected: 0, height: 28 }

/** A healthy run stopped by the kubelet's SIGTERM 1.5 s into the load test, as both modes start. */
const sigterm: Judge.RunFigures = {
  endpoint: "ok",
  sigtermAtMs: 1_500,
  failFastWithinMs: 1_000,
  loadgenStartedAfterMs: 1_400,
  loadgenExitedAfterMs: 2_950,
  sigtermSent: true,
  sigtermToExitMs: 40,
  sigkillSent: false,
  loadgenExitCode: 0,
  finalStats,
  endpointRequests: 172
}

/** A healthy run that ends itself after `--duration 1500ms`, before the kubelet's SIGTERM at the Job deadline. */
const duration: Judge.RunFigures = {
  ...sigterm,
  durationMs: 1_500,
  sigtermAtMs: 4_500,
  sigtermSent: false,
  loadgenExitedAfterMs: 2_950
}

/** A run against an endpoint that refuses connections. */
const refused: Judge.RunFigures = {
  ...sigterm,
  endpoint: "refused",
  sigtermSent: false,
  loadgenExitedAfterMs: 1_600,
  loadgenExitCode: 1,
  finalStats: { sent: 1, accepted: 0, rejected: 0, height: 0 },
  endpointRequests: 0
}

const judge = (figures: Judge.RunFigures) => Judge.verdict({ ...figures, ...measured })

describe("judging a loadgen-exit-code run", () => {
  it("a load generator stopped by SIGTERM is ok with exit 0, and wrong-exit-code with any other code", () => {
    expect(judge(sigterm)).toBe("ok")
    expect(judge({ ...sigterm, loadgenExitCode: 1 })).toBe("wrong-exit-code")
    // Ended by the signal itself (no handler): Kubernetes records 143.
    expect(judge({ ...sigterm, loadgenExitCode: 143, loadgenSignal: "SIGTERM" })).toBe("wrong-exit-code")
    // Main.run's grace period ran out.
    expect(judge({ ...sigterm, loadgenExitCode: 124 })).toBe("wrong-exit-code")
  })

  it("a load generator that ends itself at its --duration is held to the same exit code", () => {
    expect(judge(duration)).toBe("ok")
    expect(judge({ ...duration, loadgenExitCode: 1 })).toBe("wrong-exit-code")
  })

  it("exit 0 without the final stats is lost-logs: the run's one result never reached the log", () => {
    const { finalStats: _, ...withoutStats } = sigterm
    expect(judge(withoutStats)).toBe("lost-logs")
  })

  it("a container the kubelet had to SIGKILL is hung, whatever its code", () => {
    expect(judge({ ...sigterm, sigkillSent: true, loadgenExitCode: 137, loadgenSignal: "SIGKILL" })).toBe("hung")
    expect(judge({ ...refused, sigkillSent: true, sigtermSent: true })).toBe("hung")
  })

  it("against a refusing endpoint a non-zero exit is right if it comes by itself within the fail-fast bound", () => {
    expect(judge(refused)).toBe("ok")
    // 1000 ms after "load test started" is still fast; 1001 ms is not.
    expect(judge({ ...refused, loadgenExitedAfterMs: 2_400 })).toBe("ok")
    expect(judge({ ...refused, loadgenExitedAfterMs: 2_401 })).toBe("hung")
    // It waited for someone to stop it.
    expect(judge({ ...refused, sigtermSent: true, loadgenExitedAfterMs: 2_950 })).toBe("hung")
  })

  it("against a refusing endpoint exit 0 is wrong-exit-code: a run that sent nothing must not report success", () => {
    expect(judge({ ...refused, loadgenExitCode: 0 })).toBe("wrong-exit-code")
  })

  it("a load generator that never started, or ended before anyone stopped it, is crashed, never the incident", () => {
    const { loadgenStartedAfterMs: _, ...neverStarted } = sigterm
    expect(judge({ ...neverStarted, sigtermSent: false, loadgenExitCode: 1 })).toBe("crashed")
    // Ended by itself at 1.2 s of a healthy run with no --duration: a bug, not a graceful stop.
    expect(judge({ ...sigterm, sigtermSent: false, loadgenExitedAfterMs: 1_600, loadgenExitCode: 1 })).toBe("crashed")
    // With --duration 1500ms, ending before 1.5 s is not the duration either.
    expect(judge({ ...duration, loadgenExitedAfterMs: 1_499, loadgenExitCode: 1 })).toBe("crashed")
  })

  it("both modes are judged the same way", () => {
    expect(Judge.naive({ ...sigterm, ...measured, loadgenExitCode: 1, fatal: "dispatcher: context canceled" })).toBe(
      "wrong-exit-code"
    )
    expect(
      Judge.lifeline({ ...sigterm, ...measured, exitSummary: { code: 0, reason: "signal", elapsedMs: 1_531 } })
    ).toBe("ok")
  })
})
