/**
 * The keep-alive loop: runs the child, and after any end — success, failure, defect or an interruption from
 * within — records it, counts the restart against the supervisor's intensity, and restarts the child after its
 * schedule's delay. The schedule is stepped by hand, so that the delay can be logged and reset.
 */
import { type Deadline, Options } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as api from "../Supervisor.ts"
import { describeEnd, logError, recordFailure, recordSuccess, register, start } from "./child.ts"
import { type Child, impl, isSupervisor, RestartIntensityExceeded, type SupervisorImpl } from "./model.ts"
import { escalate } from "./stop.ts"

/** Exponential from 100 ms, doubling, jittered, never longer than 30 s. */
const defaultRestart: Schedule.Schedule<unknown, unknown> = Schedule.exponential("100 millis", 2).pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("30 seconds"))
)

const resetAfterOption = Options.optional(Options.positiveDuration, Duration.minutes(1))
const restartOption = Options.optional(Options.schedule, undefined)

const keepAliveImpl = <A, E, R>(
  self: api.Supervisor,
  name: string,
  effect: Effect.Effect<A, E, R>,
  options?: api.KeepAliveOptions
): Effect.Effect<void, Deadline.InvalidOptions, R> =>
  Effect.gen(function* () {
    const sup = impl(self)
    const childName = yield* Options.name("name", name)
    yield* Options.effect("effect", effect)
    const resetAfter = Duration.toMillis(yield* resetAfterOption("resetAfter", options?.resetAfter))
    yield* restartOption("restart", options?.restart)
    const schedule = options?.restart ?? defaultRestart
    const child = yield* register(sup, childName, "keep-alive", {
      stallAfterMillis: Number.POSITIVE_INFINITY,
      staleAfterMillis: Number.POSITIVE_INFINITY
    })
    yield* start(sup, child, loop(sup, child, effect, schedule, resetAfter))
  })

export const keepAlive: {
  <A, E, R>(
    name: string,
    effect: Effect.Effect<A, E, R>,
    options?: api.KeepAliveOptions
  ): (self: api.Supervisor) => Effect.Effect<void, Deadline.InvalidOptions, R>
  <A, E, R>(
    self: api.Supervisor,
    name: string,
    effect: Effect.Effect<A, E, R>,
    options?: api.KeepAliveOptions
  ): Effect.Effect<void, Deadline.InvalidOptions, R>
} = dual((args) => isSupervisor(args[0]), keepAliveImpl)

const loop = <A, E, R>(
  sup: SupervisorImpl,
  child: Child,
  effect: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, unknown>,
  resetAfter: number
): Effect.Effect<void, never, R> =>
  Effect.gen(function* () {
    let state: unknown = schedule.initial
    while (true) {
      child.phase = "running"
      const began = sup.now()
      const exit = yield* Effect.exit(effect)
      if (sup.status !== "open") return
      const now = sup.now()
      if (now - began >= resetAfter) {
        state = schedule.initial
        child.consecutiveFailures = 0
      }
      yield* recordEnd(sup, child, exit)
      const exceeded = countRestart(sup, child, now)
      if (exceeded !== undefined) {
        child.phase = "failed"
        return yield* escalate(sup, exceeded)
      }
      // A user's schedule is user code: one that throws or dies gives the child up, visibly.
      const stepped = yield* Effect.exit(Effect.suspend(() => schedule.step(now, exit, state)))
      if (Exit.isFailure(stepped)) {
        child.phase = "failed"
        return yield* logError(
          `keep-alive child ${child.name}: its restart schedule died; giving the child up`,
          stepped.cause
        )
      }
      const [nextState, , decision] = stepped.value
      state = nextState
      if (ScheduleDecision.isDone(decision)) {
        child.phase = "failed"
        return yield* Effect.logError(`keep-alive child ${child.name}: restart schedule is done; giving the child up`)
      }
      const delay = Intervals.start(decision.intervals) - now
      child.phase = "backing-off"
      yield* Effect.logInfo(
        `keep-alive child ${child.name} restarts in ${Duration.format(Duration.millis(Math.max(0, Math.round(delay))))}`
      )
      yield* sup.sleep(delay)
      if (sup.status !== "open") return
      child.restarts++
      child.series.restarts.unsafeUpdate(1)
    }
  })

const recordEnd = <A, E>(sup: SupervisorImpl, child: Child, exit: Exit.Exit<A, E>): Effect.Effect<void> => {
  if (Exit.isSuccess(exit)) {
    recordSuccess(sup, child)
    return Effect.logWarning(`keep-alive child ${child.name} returned, but it is meant to run forever; restarting it`)
  }
  const kind = recordFailure(sup, child, exit.cause)
  return logError(`keep-alive child ${child.name} ${describeEnd(kind)}; restarting it`, exit.cause).pipe(
    Effect.annotateLogs({ outcome: kind, consecutiveFailures: child.consecutiveFailures })
  )
}

/**
 * Records a restart at `now` in the supervisor's sliding window (the restarts of the last `within`, whatever
 * child they were); the error to escalate with when the window holds more than `maxRestarts`.
 */
const countRestart = (sup: SupervisorImpl, child: Child, now: number): RestartIntensityExceeded | undefined => {
  if (sup.intensity === undefined) return undefined
  const { maxRestarts, withinMillis } = sup.intensity
  const window = sup.restartTimes
  window.push(now)
  while (window.length > 0 && window[0]! <= now - withinMillis) window.shift()
  if (window.length <= maxRestarts) return undefined
  return new RestartIntensityExceeded({
    supervisor: sup.name,
    child: child.name,
    restarts: window.length,
    within: Duration.millis(withinMillis)
  })
}
