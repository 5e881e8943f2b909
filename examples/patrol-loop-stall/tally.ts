/**
 * What the replay observes about its own sweeps: how many started and ended, how each ended, which stage
 * the current one is in and for how long. Written synchronously so the harness's watchdog can read it even
 * if the run never ends by itself.
 */
import { Cause, Chunk, Exit, Predicate } from "effect"

const isDeadlineExceeded = (error: unknown): boolean => Predicate.isTagged(error, "DeadlineExceeded")

export type Stage = "idle" | "collect" | "analyze" | "execute"

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

  /** Starts the replay's clock: called as the loop starts, after the environment is up and warm. */
  start(): void {
    this.startedAt = performance.now()
  }

  /** Milliseconds since the replay started. */
  now(): number {
    return performance.now() - this.startedAt
  }

  begin(): number {
    this.sweepStartedAt = this.now()
    return ++this.started
  }

  enter(stage: Stage): void {
    this.stage = stage
    this.stageSince = this.now()
  }

  wedge(): void {
    this.wedgedAt = this.now()
  }

  end(exit: Exit.Exit<unknown, unknown>): void {
    this.ended++
    this.lastEndAt = this.now()
    this.stage = "idle"
    if (Exit.isSuccess(exit)) this.succeeded++
    else if (Cause.isInterruptedOnly(exit.cause)) this.timedOut++
    else if (Cause.isDie(exit.cause)) this.defects++
    else if (Cause.failures(exit.cause).pipe(Chunk.some(isDeadlineExceeded))) {
      this.timedOut++
    } else this.failed++
  }

  /** The sweep in progress, if it has been running for longer than `ms`. */
  stuckLongerThan(ms: number): { readonly stage: Stage; readonly forMs: number } | undefined {
    if (this.stage === "idle") return undefined
    const forMs = this.now() - this.sweepStartedAt
    return forMs > ms ? { stage: this.stage, forMs: Math.round(forMs) } : undefined
  }
}
