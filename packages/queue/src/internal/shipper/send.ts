/**
 * Sending one batch: bounded by `sendTimeout` (and by what is left of the flush while closing), retried inside
 * that bound, and accounted for exactly once — delivered, or dropped, counted and logged.
 */
import { Deadline, Monotonic } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as callback from "../callback.ts"
import type { Config } from "./config.ts"
import type { ShipperImpl } from "./state.ts"

/** A sink that fails fast (connection refused) would otherwise produce a warning per batch. */
const warningEveryMs = 1000

const wasAbandoned = (cause: Cause.Cause<unknown>): boolean => {
  const failure = Cause.failureOption(cause)
  return Option.isSome(failure) && failure.value instanceof Deadline.DeadlineExceeded && failure.value.abandoned
}

/**
 * Returns the function that ships one batch. It never fails: every outcome ends in the shipper's counters.
 *
 * This runs once per batch, so it is written as a few direct steps (no generator, the clock read
 * synchronously, one continuation for both outcomes): next to the send's own deadline, the bookkeeping is
 * small.
 */
export const sender = <A, E, R>(
  state: ShipperImpl<A>,
  config: Config<A, E, R>,
  clock: Clock.Clock
): (batch: ReadonlyArray<A>) => Effect.Effect<void, never, R> => {
  const withinOptions = { label: `${config.name}.send`, grace: config.grace }
  let lastWarningAt: number | undefined
  let suppressedWarnings = 0

  // A `send` that throws instead of returning an effect dies here, inside the tracking: its batch fails like
  // any other, and it is not left registered as a running send.
  const attempt = (batch: ReadonlyArray<A>) => state.tracked(callback.suspend("send", () => config.send(batch)))

  const withRetry = (batch: ReadonlyArray<A>) =>
    config.retry === undefined ? attempt(batch) : Effect.retry(attempt(batch), config.retry)

  // While an earlier send is still running (abandoned after its grace), a new one would only pile up more
  // retained batches behind a wedged sink: wait for it within the same budget instead.
  const guarded = (batch: ReadonlyArray<A>) =>
    state.hasRunningSend ? Effect.zipRight(state.awaitIdle, withRetry(batch)) : withRetry(batch)

  const warn = (cause: Cause.Cause<unknown>, items: number): Effect.Effect<void> => {
    const now = Monotonic.unsafeNow(clock)
    if (lastWarningAt !== undefined && now - lastWarningAt < warningEveryMs) {
      suppressedWarnings++
      return Effect.void
    }
    lastWarningAt = now
    const suppressed = suppressedWarnings
    suppressedWarnings = 0
    return Effect.logWarning("shipper: batch dropped after send failed", cause).pipe(
      Effect.annotateLogs({ shipper: config.name, items, dropped: state.unsafeStats().dropped, suppressed })
    )
  }

  const failed = (n: number, cause: Cause.Cause<unknown>): Effect.Effect<void> => {
    const closing = state.isClosing
    state.undelivered(n, closing)
    // Cut by the end of the flush: counted in droppedAtShutdown and in the summary line, not a send failure.
    if (closing && Cause.isInterruptedOnly(cause)) return Effect.void
    state.sendFailed()
    if (wasAbandoned(cause)) state.markAbandoned()
    return warn(cause, n)
  }

  // Uninterruptible around the bounded send, so that an interruption of the loop (the end of the flush) still
  // lands in exactly one of the outcomes below.
  return (batch) =>
    Effect.uninterruptibleMask((restore) => {
      const n = batch.length
      const budgetMs = state.sendBudget(Monotonic.unsafeNow(clock), config.sendTimeoutMs)
      if (budgetMs <= 0) {
        state.undelivered(n, true)
        return Effect.void
      }
      state.sending(n)
      return Effect.matchCauseEffect(
        restore(Deadline.within(Effect.suspend(() => guarded(batch)), Duration.millis(budgetMs), withinOptions)),
        {
          onSuccess: () => {
            state.delivered(n)
            return Effect.void
          },
          onFailure: (cause) => failed(n, cause)
        }
      )
    })
}
