/**
 * The life of a child as the supervisor sees it: registered under a unique name, started on a fiber of its
 * own that belongs to the supervisor, and every end recorded (counted, kept for `health`, logged at Error).
 *
 * Whatever a child's effect throws or fails with is data here: rendering it never throws, and nothing it
 * does can end the child's loop unnoticed.
 */
import { Deadline, Options } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as api from "../Supervisor.ts"
import { childSeries } from "./metrics.ts"
import type { Child, SupervisorImpl } from "./model.ts"

/** A child's body is an Effect; a function or a promise passed in its place is a programming error. */
export const register = (
  sup: SupervisorImpl,
  name: string,
  kind: Child["kind"],
  limits: { readonly stallAfterMillis: number; readonly staleAfterMillis: number }
): Either.Either<Child, Deadline.InvalidOptions> => {
  if (sup.children.has(name)) {
    return Either.left(Options.invalid("name", name, `must be unique among the children of supervisor ${sup.name}`))
  }
  const child: Child = {
    name,
    kind,
    series: childSeries(sup.name, name),
    fiber: undefined,
    phase: "running",
    startedAt: sup.now(),
    restarts: 0,
    lastSuccess: undefined,
    lastFailure: undefined,
    consecutiveFailures: 0,
    missedTicks: 0,
    abandonedRuns: 0,
    run: undefined,
    ...limits
  }
  sup.children.set(name, child)
  return Either.right(child)
}

/**
 * Starts a child's body on a fiber of the supervisor's: a daemon (the supervisor's stop ends it, not the end of
 * the fiber that started it), outside any deadline of that fiber, and interruptible even when started from an
 * uninterruptible region (an acquire, a finalizer), so that the stop can reach it.
 */
export const start = <R>(
  sup: SupervisorImpl,
  child: Child,
  body: Effect.Effect<void, never, R>
): Effect.Effect<void, never, R> =>
  Effect.suspend(() => {
    if (sup.status !== "open") {
      sup.children.delete(child.name)
      return Effect.dieMessage(`supervisor ${sup.name} has stopped; cannot start child ${child.name}`)
    }
    const guarded = body.pipe(
      Effect.catchAllCause((cause) => {
        if (sup.status !== "open" || Cause.isInterruptedOnly(cause)) return Effect.void
        child.phase = "failed"
        return logError(`child ${child.name} of supervisor ${sup.name} ended unexpectedly; it is not running`, cause)
      }),
      Deadline.detach,
      Effect.interruptible,
      Effect.annotateLogs({ supervisor: sup.name, child: child.name })
    )
    return Effect.map(Effect.forkDaemon(guarded), (fiber) => {
      child.fiber = fiber
    })
  })

export const recordSuccess = (sup: SupervisorImpl, child: Child): void => {
  child.lastSuccess = { at: sup.now(), date: sup.date() }
  child.consecutiveFailures = 0
  child.series.runs.success.unsafeUpdate(1)
}

export const recordFailure = (sup: SupervisorImpl, child: Child, cause: Cause.Cause<unknown>): api.FailureKind => {
  const kind = classify(cause)
  child.consecutiveFailures++
  child.lastFailure = { at: sup.date(), kind, message: messageOf(cause) }
  child.series.runs[kind].unsafeUpdate(1)
  return kind
}

export const describeEnd = (kind: api.FailureKind): string =>
  kind === "failure"
    ? "failed"
    : kind === "defect"
    ? "died with a defect"
    : kind === "timeout"
    ? "timed out"
    : "was interrupted from within"

/**
 * Logs at Error with the pretty `Cause`. A logger that cannot render the cause (an error whose `message` getter
 * throws) gets the line without it: the loop that logs must go on either way.
 */
export const logError = (message: string, cause: Cause.Cause<unknown>): Effect.Effect<void> =>
  Effect.catchAllCause(
    Effect.logError(message, cause),
    () => Effect.ignore(Effect.logError(`${message} (its cause could not be rendered)`))
  )

const classify = (cause: Cause.Cause<unknown>): api.FailureKind => {
  if (Cause.isDie(cause)) return "defect"
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) return "interrupted"
  try {
    return failure.value instanceof Deadline.DeadlineExceeded || Predicate.isTagged(failure.value, "DeadlineExceeded")
      ? "timeout"
      : "failure"
  } catch {
    return "failure"
  }
}

/** Longest `lastFailure.message` kept: a report is read by probes and people, not a place for a dump. */
const maxMessageLength = 1024

const messageOf = (cause: Cause.Cause<unknown>): string => {
  let text: string
  try {
    text = render(Cause.squash(cause))
  } catch {
    text = "(the error could not be rendered)"
  }
  return text.length > maxMessageLength ? `${text.slice(0, maxMessageLength - 1)}…` : text
}

const render = (error: unknown): string => {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === "string") return error
  if (Predicate.hasProperty(error, "message")) return String(error.message)
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}
