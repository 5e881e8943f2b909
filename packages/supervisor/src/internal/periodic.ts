/**
 * The periodic loop: runs on a fixed grid of ticks (`start + k × every`, on the monotonic clock), each run
 * bounded by `Deadline.within(timeout, { grace })`, every end recorded, and every tick that gets no run
 * counted as missed.
 */
import { Deadline, Options } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import type * as api from "../Supervisor.ts"
import { describeEnd, logError, recordFailure, recordSuccess, register, start } from "./child.ts"
import { type Child, impl, isSupervisor, type Run, type SupervisorImpl } from "./model.ts"

const overrunOption = Options.optional(Options.oneOf(["skip", "run-late"] as const), "skip")
const graceOption = Options.optional(Options.nonNegativeDuration, Duration.seconds(1))
const staleAfterOption = Options.optional(Options.positiveDuration, undefined)

interface Cadence {
  readonly every: number
  readonly overrun: api.Overrun
}

const periodicImpl = <A, E, R>(
  self: api.Supervisor,
  name: string,
  job: Effect.Effect<A, E, R>,
  options: api.PeriodicOptions
): Effect.Effect<void, Deadline.InvalidOptions, R> =>
  Effect.gen(function* () {
    const sup = impl(self)
    const childName = yield* Options.name("name", name)
    yield* Options.effect("job", job)
    const every = Duration.toMillis(yield* Options.positiveDuration("every", options?.every))
    const timeout = yield* Options.positiveDuration("timeout", options.timeout)
    const grace = yield* graceOption("grace", options.grace)
    const overrun = yield* overrunOption("overrun", options.overrun)
    const staleAfter = yield* staleAfterOption("staleAfter", options.staleAfter)
    const child = yield* register(sup, childName, "periodic", {
      stallAfterMillis: Duration.toMillis(timeout) + Duration.toMillis(grace),
      staleAfterMillis: staleAfter === undefined
        ? 3 * every + Duration.toMillis(timeout)
        : Duration.toMillis(staleAfter)
    })
    const run = runOnce(sup, child, job, timeout, { label: `${sup.name}/${childName}`, grace })
    yield* start(sup, child, loop(sup, child, run, { every, overrun }))
  })

export const periodic: {
  <A, E, R>(
    name: string,
    job: Effect.Effect<A, E, R>,
    options: api.PeriodicOptions
  ): (self: api.Supervisor) => Effect.Effect<void, Deadline.InvalidOptions, R>
  <A, E, R>(
    self: api.Supervisor,
    name: string,
    job: Effect.Effect<A, E, R>,
    options: api.PeriodicOptions
  ): Effect.Effect<void, Deadline.InvalidOptions, R>
} = dual((args) => isSupervisor(args[0]), periodicImpl)

/** One run: bounded, recorded, and logged at Error when it ends badly. It never fails. */
const runOnce = <A, E, R>(
  sup: SupervisorImpl,
  child: Child,
  job: Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  within: Deadline.WithinOptions
): Effect.Effect<void, never, R> =>
  Effect.suspend(() => {
    const run: Run = { startedAt: sup.now(), ended: false }
    // Replaces a run abandoned earlier: the loop has moved on, so that run no longer holds the child back.
    child.run = run
    // Runs when the job really ends: for work that ignores interruption, possibly long after `within` gave up.
    const tracked = Effect.ensuring(
      job,
      Effect.sync(() => {
        run.ended = true
        if (child.run === run) child.run = undefined
      })
    )
    return Effect.flatMap(Effect.exit(Deadline.within(tracked, timeout, within)), (exit) => {
      const abandoned = !run.ended
      if (abandoned) child.abandonedRuns++
      if (Exit.isSuccess(exit)) {
        recordSuccess(sup, child)
        return Effect.void
      }
      if (sup.status !== "open") return Effect.void
      const kind = recordFailure(sup, child, exit.cause)
      const end = abandoned
        ? `${describeEnd(kind)} and could not be interrupted; its work is left running`
        : describeEnd(kind)
      return logError(`periodic child ${child.name} run ${end}; the loop goes on`, exit.cause).pipe(
        Effect.annotateLogs({
          outcome: kind,
          consecutiveFailures: child.consecutiveFailures,
          abandonedRuns: child.abandonedRuns
        })
      )
    })
  })

/** The first run at once, then one per tick of the grid; ticks passed during an overrun follow `overrun`. */
const loop = <R>(
  sup: SupervisorImpl,
  child: Child,
  run: Effect.Effect<void, never, R>,
  cadence: Cadence
): Effect.Effect<void, never, R> =>
  Effect.suspend(() => {
    const t0 = sup.now()
    let tick = 0
    const next = Effect.suspend(() => {
      const now = sup.now()
      const due = nextTick(tick, (now - t0) / cadence.every, cadence.overrun)
      tick = due.tick
      const wait = due.late ? Effect.void : sup.sleep(t0 + tick * cadence.every - now)
      return missed(child, due.missed, cadence.overrun).pipe(Effect.zipRight(wait), Effect.zipRight(run))
    })
    return Effect.zipRight(run, Effect.forever(next))
  })

/**
 * The tick of the next run, after `last`, when `elapsed` periods have passed since the start. Ticks after
 * `last` that are already in the past were overrun: `skip` misses them all and waits for the next one;
 * `run-late` runs once at once, for the latest of them, and misses the others.
 */
const nextTick = (
  last: number,
  elapsed: number,
  overrun: api.Overrun
): { readonly tick: number; readonly missed: number; readonly late: boolean } => {
  const upcoming = Math.max(last + 1, Math.ceil(elapsed))
  const passed = upcoming - (last + 1)
  if (passed === 0) return { tick: last + 1, missed: 0, late: false }
  return overrun === "skip"
    ? { tick: upcoming, missed: passed, late: false }
    : { tick: upcoming - 1, missed: passed - 1, late: true }
}

const missed = (child: Child, count: number, overrun: api.Overrun): Effect.Effect<void> => {
  if (count === 0) return Effect.void
  child.missedTicks += count
  child.series.missedTicks.unsafeUpdate(count)
  return Effect.logWarning(
    `periodic child ${child.name} overran its period; ${count} tick(s) missed (overrun: ${overrun})`
  ).pipe(Effect.annotateLogs({ missedTicks: child.missedTicks }))
}
