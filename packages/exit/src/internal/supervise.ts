import { Monotonic } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as api from "../Main.ts"
import { LiveFibers, stillRunning } from "./fibers.ts"
import type { Resolved } from "./options.ts"
import { classify } from "./policy.ts"
import { type Controller, currentShutdown, type Trigger } from "./shutdown.ts"

/** How a run ended: the fields of the summary line. */
export interface Outcome {
  readonly code: number
  readonly reason: api.Reason
  readonly signal: api.Signal | undefined
  readonly elapsedMs: number
  readonly stillRunning: ReadonlyArray<string> | undefined
}

type Step<A, E> =
  | { readonly _tag: "ended"; readonly exit: Exit.Exit<A, E> }
  | { readonly _tag: "shutdown" }
  | { readonly _tag: "duration" }
  | { readonly _tag: "grace" }
  | { readonly _tag: "forced" }

const logCrashes = (controller: Controller): Effect.Effect<void> =>
  Effect.suspend(() => {
    const fresh = controller.crashes.slice(controller.crashesLogged)
    controller.crashesLogged = controller.crashes.length
    return Effect.forEach(
      fresh,
      ({ error, origin }) => Effect.logError(`${origin} outside the program: shutting down`, Cause.die(error)),
      { discard: true }
    )
  })

const signalOf = (trigger: Trigger | undefined): api.Signal | undefined =>
  trigger?._tag === "signal" ? trigger.signal : undefined

/**
 * Runs the program on a fiber of its own and waits for the first of: its end, a trigger of the controller
 * (signal, crash), or `runFor`. A trigger interrupts the program (the controller does it, at once); the run
 * then waits for the first of: its end, `gracePeriod` counted from the trigger, or a second signal. It returns
 * how the run ended; it neither writes nor exits, so that a test can drive it with a `TestClock` and a
 * controller of its own.
 *
 * The program runs as a daemon so that returning on a forced exit does not wait for it: the process is about
 * to end, and the summary must not wait for the very work that did not stop.
 */
export const supervise = <A, E>(
  program: Effect.Effect<A, E>,
  options: Resolved,
  controller: Controller
): Effect.Effect<Outcome> =>
  Effect.gen(function* () {
    const start = yield* Monotonic.now
    const live = new LiveFibers()
    const fiber = yield* Effect.forkDaemon(
      program.pipe(Effect.supervised(live), Effect.locally(currentShutdown, controller.state))
    )
    const self = yield* Effect.fiberId
    const clock = yield* Effect.clock
    controller.attach(() => Monotonic.unsafeNow(clock), () => fiber.unsafeInterruptAsFork(self))

    const ended = Effect.map(Fiber.await(fiber), (exit): Step<A, E> => ({ _tag: "ended", exit }))
    const elapsed = Effect.map(Monotonic.now, (now) => Math.max(0, Math.round(now - start)))
    const race = (steps: ReadonlyArray<Effect.Effect<Step<A, E>>>) => Effect.raceAll(steps)

    const outcome = (exit: Exit.Exit<A, E>): Effect.Effect<Outcome> =>
      Effect.gen(function* () {
        const { code, kind } = classify(exit, options.codes)
        const trigger = controller.trigger
        if (Exit.isFailure(exit) && code !== 0) yield* Effect.logError("program failed", exit.cause)
        const base = { signal: signalOf(trigger), elapsedMs: yield* elapsed, stillRunning: undefined }
        // A crash outside the program is a defect whatever the program made of the interruption it caused.
        if (controller.crashCount > 0) return { ...base, code: options.codes.defect, reason: "defect" }
        if (code !== 0) return { ...base, code, reason: kind === "defect" ? "defect" : "failed" }
        const reason = trigger === undefined || trigger._tag === "crash" ? "completed" : trigger._tag
        return { ...base, code, reason }
      })

    const first = yield* race([
      ended,
      Effect.as(Deferred.await(controller.started), { _tag: "shutdown" }),
      options.runFor === undefined ? Effect.never : Effect.as(Monotonic.sleep(options.runFor), { _tag: "duration" })
    ])
    yield* logCrashes(controller)
    if (first._tag === "ended") return yield* outcome(first.exit)
    if (first._tag === "duration") controller.duration()

    const now = yield* Monotonic.now
    const graceLeft = Math.max(0, Duration.toMillis(options.gracePeriod) - (now - (controller.triggeredAt ?? now)))
    const second = yield* race([
      ended,
      Effect.as(Monotonic.sleep(Duration.millis(graceLeft)), { _tag: "grace" }),
      Effect.as(Deferred.await(controller.forced), { _tag: "forced" })
    ])
    yield* logCrashes(controller)
    if (second._tag === "ended") return yield* outcome(second.exit)
    const running = stillRunning(fiber, live)
    yield* Effect.logWarning(
      second._tag === "forced"
        ? "second signal during the grace period: exiting now"
        : "grace period exceeded: exiting with the program still running"
    ).pipe(Effect.annotateLogs("stillRunning", running))
    return {
      code: options.codes.graceExceeded,
      reason: "grace-exceeded",
      signal: signalOf(controller.trigger),
      elapsedMs: yield* elapsed,
      stillRunning: running
    }
  })
