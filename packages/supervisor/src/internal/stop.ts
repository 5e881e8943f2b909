/**
 * Stopping a supervisor: on scope close, or when restart intensity is exceeded. Every child is interrupted at
 * once; the stop waits for them at most `stopTimeout`, then leaves behind those still running (work that
 * ignores interruption), names them in one Error log and counts them. It never waits longer.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type { RestartIntensityExceeded, SupervisorImpl } from "./model.ts"

/**
 * Stops the supervisor once; a second caller (the scope's finalizer after an escalation) waits for the first
 * stop to finish. The supervisor is marked as stopping when this is called, not when it runs, so that two
 * escalations cannot race.
 */
export const stop = (sup: SupervisorImpl, reason: string): Effect.Effect<void> => {
  if (sup.status !== "open") return Deferred.await(sup.halted)
  sup.status = "stopping"
  const fibers: Array<Fiber.RuntimeFiber<void, never>> = []
  for (const child of sup.children.values()) {
    if (child.fiber !== undefined) fibers.push(child.fiber)
  }
  return Effect.fiberIdWith((self) =>
    // Signals, not `Fiber.interrupt`: that would wait for each child in turn, however long it resists.
    Effect.forEach(fibers, (fiber) => Fiber.interruptAsFork(fiber, self), { discard: true })
  ).pipe(
    // A stop runs in a finalizer or after an escalation, both uninterruptible: the wait is made interruptible,
    // or the race could not interrupt the loser.
    Effect.zipRight(Effect.interruptible(Effect.raceFirst(Fiber.awaitAll(fibers), sup.sleep(sup.stopTimeoutMillis)))),
    Effect.zipRight(Effect.suspend(() => abandon(sup, reason))),
    Effect.ensuring(Deferred.succeed(sup.halted, undefined))
  )
}

const abandon = (sup: SupervisorImpl, reason: string): Effect.Effect<void> => {
  sup.status = "stopped"
  const abandoned: Array<string> = []
  for (const child of sup.children.values()) {
    child.phase = "failed"
    child.run = undefined
    if (child.fiber !== undefined && child.fiber.unsafePoll() === null) abandoned.push(child.name)
  }
  if (abandoned.length === 0) return Effect.void
  sup.series.abandoned.unsafeUpdate(abandoned.length)
  return Effect.logError(
    `supervisor ${sup.name}: ${abandoned.length} child(ren) still running ${
      Duration.format(Duration.millis(sup.stopTimeoutMillis))
    } after interruption (${reason}); abandoned: ${abandoned.join(", ")}`
  ).pipe(Effect.annotateLogs({ supervisor: sup.name, abandoned: abandoned.join(",") }))
}

/**
 * Stops the supervisor because a child exceeded restart intensity, then fails `join` with the error. The stop
 * runs on a fiber of its own: the escalating child's fiber is one of those it interrupts and waits for.
 */
export const escalate = (sup: SupervisorImpl, error: RestartIntensityExceeded): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (sup.status !== "open") return Effect.void
    const stopping = stop(sup, "restart intensity exceeded")
    sup.series.escalations.unsafeUpdate(1)
    return Effect.logError(`${error.message}; stopping every child of ${sup.name}`).pipe(
      Effect.annotateLogs({ supervisor: sup.name, child: error.child }),
      Effect.zipRight(Effect.forkDaemon(Effect.zipRight(stopping, Deferred.fail(sup.done, error)))),
      Effect.asVoid
    )
  })
