/**
 * Starting the environment a replay runs against — its servers, child processes and connections — so that
 * a part that cannot start ends the run at once with an error naming it. Without this, a run whose job
 * died before it connected waits for the connection until its watchdog reports `hung`: a hang the code
 * under test never had, and the real error lost.
 *
 * Every wait for a part to be ready goes through `ready`: bounded by a deadline, and ended as soon as the
 * part is known to be dead.
 */
import { Deadline } from "@lifeline/deadline"
import { Data, type Duration, Effect, Predicate } from "effect"

/** A part of the environment that did not start: which part, and why. */
export class EnvironmentError extends Data.TaggedError("EnvironmentError")<{
  readonly part: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.part} did not start: ${this.reason}`
  }
}

export interface ReadyOptions {
  /** The part, as the error names it: "the job", "the log API". */
  readonly part: string
  /** How long it may take to be ready. Generous: a starved CI machine starts a Node process in seconds. */
  readonly within: Duration.DurationInput
  /** Completes, with what is known of its end, when the part has died: the wait for it ends then. */
  readonly died?: Effect.Effect<string>
}

const describe = (error: unknown): string =>
  Predicate.isTagged(error, "DeadlineExceeded")
    ? "not ready in time"
    : error instanceof Error
    ? error.message
    : String(error)

/**
 * Waits for `self`, the readiness of one part of the environment: it fails with `EnvironmentError` naming
 * the part when `self` fails, when the part dies first, or at the deadline.
 */
export const ready =
  (options: ReadyOptions) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, EnvironmentError, R> => {
    const fail = (reason: string) => new EnvironmentError({ part: options.part, reason })
    const raced = options.died === undefined
      ? self
      : Effect.raceFirst(self, Effect.flatMap(options.died, (reason) => Effect.fail(fail(reason))))
    return raced.pipe(
      Deadline.within(options.within, { label: options.part }),
      Effect.mapError((error) => (error instanceof EnvironmentError ? error : fail(describe(error))))
    )
  }
