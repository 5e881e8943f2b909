/**
 * What the replay observes about its own sweeps: how many started and ended, how each ended, which stage
 * the current one is in and for how long. Written synchronously so the harness's watchdog can read it even
 * if the run never ends by itself.
 */
import { Cause, Chunk, Exit, Predicate } from "effect"

const isDeadlineExceeded = (error: unknown): boolean => Predicate.isTagged(error, "DeadlineExceeded")

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): SweepOutcome =>
  Exit.isSuccess(exit)
    ? "succeeded"
    : Cause.isInterruptedOnly(exit.cause)
    ? "timed out"
    : Cause.isDie(exit.cause)
    ? "defect"
    : Cause.failures(exit.cause).pipe(Chunk.some(isDeadlineExceeded))
    ? "timed out"
    : "failed"

export type Stage = "idle" | "collect" | "analyze" | "execute"

/** How a sweep ended, as `end` counts it. */
export type SweepOutcome = "succeeded" | "timed out" | "defect" | "failed"

/** What `onEvent` hears, as it happens: for a recording of the run. */
export type TallyEvent =
  | { readonly name: "replay started" }
  | { readonly name: "sweep started"; readonly n: number }
  | { readonly name: "sweep ended"; readonly n: number; readonly outcome: SweepOutcome }
  | { readonly name: "sweep wedged"; readonly n: number }

export class Tally {
  private startedAt = performance.now()
  started = 0
  ended = 0
  succeeded = 0
  /** Cut at a deadline: interrupted by the runner's, or failed with the HTTP client's `DeadlineExceeded`. */
  timedOut = 0
  failed = 0
  defects = 0
  stage: Stage = "idle"
  stageSince = 0
  sweepStartedAt = 0
  lastEndAt: number | undefined
  /** When a sweep entered the code that never returns (`--wedge`). */
  wedgedAt: number | undefined
  /** Told of each start, end and wedge of a sweep. */
  onEvent: (event: TallyEvent) => void = () => {}

  /** Starts the replay's clock: called as the loop starts, after the environment is up and warm. */
  start(): void {
    this.startedAt = performance.now()
    this.onEvent({ name: "replay started" })
  }

  /** Milliseconds since the replay started. */
  now(): number {
    return performance.now() - this.startedAt
  }

  begin(): number {
    this.sweepStartedAt = this.now()
    this.onEvent({ name: "sweep started", n: this.started + 1 })
    return ++this.started
  }

  enter(stage: Stage): void {
    this.stage = stage
    this.stageSince = this.now()
  }

  wedge(): void {
    this.wedgedAt = this.now()
    this.onEvent({ name: "sweep wedged", n: this.started })
  }

  end(exit: Exit.Exit<unknown, unknown>): void {
    this.ended++
    this.lastEndAt = this.now()
    this.stage = "idle"
    const outcome = outcomeOf(exit)
    if (outcome === "succeeded") this.succeeded++
    else if (outcome === "timed out") this.timedOut++
    else if (outcome === "defect") this.defects++
    else this.failed++
    // Sweeps run one at a time, and a wedged one never ends: the one ending is the last one started.
    this.onEvent({ name: "sweep ended", n: this.started, outcome })
  }

  /** The sweep in progress, if it has been running for longer than `ms`. */
  stuckLongerThan(ms: number): { readonly stage: Stage; readonly forMs: number } | undefined {
    if (this.stage === "idle") return undefined
    const forMs = this.now() - this.sweepStartedAt
    return forMs > ms ? { stage: this.stage, forMs: Math.round(forMs) } : undefined
  }
}
