/**
 * What a run of loadgen-exit-code reports, and how its outcome follows from that. The subject is the exit code
 * the load generator's process ended with, as the kubelet saw it:
 *
 * - stopped gracefully (the kubelet's SIGTERM, or its own `--duration`) against a healthy endpoint, it must
 *   exit 0 and print its final stats first; exit 1 is the incident, `wrong-exit-code`;
 * - against an endpoint that refuses connections it must exit non-zero, by itself and fast: exit 0 would hide a
 *   run that sent nothing (`wrong-exit-code`), and waiting for someone to stop it is `hung`;
 * - a container still running at the end of its termination grace period, which the kubelet had to SIGKILL,
 *   is `hung` whatever it was doing.
 */
import type { Outcome } from "../incidents.ts"
import type { Measured } from "../shared/Example.ts"

/** The load generator's counters, from the final stats line it printed. */
export interface FinalStats {
  readonly sent: number
  readonly accepted: number
  readonly rejected: number
  readonly height: number
}

/** What the kubelet (`kubelet.ts`) saw of the load generator's container, the same for both modes. */
export interface RunFigures {
  /** How the RPC endpoint behaves: `ok` answers every call, `refused` has nothing listening. */
  readonly endpoint: "ok" | "refused"
  /** `--duration`, when the run was given one. */
  readonly durationMs?: number
  /** When the kubelet sends SIGTERM, counted from "load test started": a fixed point of the run. */
  readonly sigtermAtMs: number
  /** How soon after "load test started" a run against a refusing endpoint must have ended by itself. */
  readonly failFastWithinMs: number
  /** From the container's start to its "load test started" line; absent if it never said so. */
  readonly loadgenStartedAfterMs?: number
  /** From the container's start to its exit. */
  readonly loadgenExitedAfterMs: number
  /** Whether the container was still running when its SIGTERM was due, so the kubelet sent it. */
  readonly sigtermSent: boolean
  /** From SIGTERM to the container's exit. */
  readonly sigtermToExitMs?: number
  /** Whether it outlived its termination grace period, so the kubelet sent SIGKILL. */
  readonly sigkillSent: boolean
  /** The container's exit code as Kubernetes reports it: the process's own, or 128 + the signal that ended it. */
  readonly loadgenExitCode: number
  /** The signal that ended the process, if one did (it had no handler for it). */
  readonly loadgenSignal?: string
  /** The final stats, if the load generator printed them before it exited. */
  readonly finalStats?: FinalStats
  /** Requests the endpoint received. */
  readonly endpointRequests: number
}

export interface NaiveFigures extends RunFigures {
  /** The fatal line of the naive boundary (`log.Fatal`), which precedes its exit 1. */
  readonly fatal?: string
}

/** `Main.run`'s summary line, as the container wrote it on stderr. */
export interface ExitSummary {
  readonly code: number
  readonly reason: string
  readonly signal?: string
  readonly elapsedMs: number
}

export interface LifelineFigures extends RunFigures {
  readonly exitSummary?: ExitSummary
}

/** The load test ran until the kubelet's SIGTERM or its own `--duration` ended it, rather than ending on its own. */
export const stoppedGracefully = (figures: RunFigures): boolean =>
  figures.sigtermSent || (figures.durationMs !== undefined && figures.loadgenExitedAfterMs >= figures.durationMs)

export const verdict = (figures: RunFigures & Measured): Outcome => {
  if (figures.sigkillSent) return "hung"
  // It never said it started: nothing of the replay's story happened.
  if (figures.loadgenStartedAfterMs === undefined) return "crashed"
  if (figures.endpoint === "refused") {
    if (figures.loadgenExitCode === 0) return "wrong-exit-code"
    const ranMs = figures.loadgenExitedAfterMs - figures.loadgenStartedAfterMs
    return !figures.sigtermSent && ranMs <= figures.failFastWithinMs ? "ok" : "hung"
  }
  // Against a healthy endpoint only a stop ends the run; a load generator that ended before it broke.
  if (!stoppedGracefully(figures)) return "crashed"
  if (figures.loadgenExitCode !== 0) return "wrong-exit-code"
  return figures.finalStats === undefined ? "lost-logs" : "ok"
}

export const naive: (figures: NaiveFigures & Measured) => Outcome = verdict
export const lifeline: (figures: LifelineFigures & Measured) => Outcome = verdict
