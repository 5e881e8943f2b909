/**
 * The supervisor's machinery: a registry of children with their progress, the periodic loop (a fixed grid
 * of ticks, a `Deadline.within` per run, missed ticks counted), the keep-alive loop (restart on any end,
 * schedule stepped by hand so the delay can be logged and reset), a sliding restart-intensity window, and
 * a stop bounded by `stopTimeout`.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as HttpApp from "@effect/platform/HttpApp"
import { Deadline, Options } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as Scope from "effect/Scope"
import type * as Api from "../Supervisor.ts"
import { RestartIntensityExceeded } from "../Supervisor.ts"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@lifeline/supervisor/Supervisor") as Api.TypeId

type InvalidOptions = Deadline.InvalidOptions

// ---------------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------------

const invalid = (option: string, value: unknown, reason: string): InvalidOptions =>
  new Deadline.InvalidOptions({ option, value, reason })

/** A positive, finite duration in milliseconds: an infinite one would be a magic "unbounded". */
const positiveMillis = (option: string, input: unknown): Either.Either<number, InvalidOptions> =>
  Either.flatMap(
    Options.duration(option, input, "positive"),
    (d) =>
      Duration.isFinite(d)
        ? Either.right(Duration.toMillis(d))
        : Either.left(invalid(option, input, "must be a positive, finite duration"))
  )

const optionalMillis = (
  option: string,
  input: unknown,
  fallback: number
): Either.Either<number, InvalidOptions> => input === undefined ? Either.right(fallback) : positiveMillis(option, input)

const nonEmptyName = (option: string, value: unknown): Either.Either<string, InvalidOptions> =>
  Options.nonEmptyString(option, value)

/** @internal */
export const formatDuration = (d: Duration.Duration): string => Duration.format(d)

const formatMillis = (millis: number): string => Duration.format(Duration.millis(Math.max(0, Math.round(millis))))

// ---------------------------------------------------------------------------------------------------------
// metrics
// ---------------------------------------------------------------------------------------------------------

/** @internal */
export const runsTotal = Metric.counter("lifeline_supervisor_runs_total", {
  description: "Runs of periodic children and ends of keep-alive children, by outcome",
  incremental: true
})
/** @internal */
export const missedTicksTotal = Metric.counter("lifeline_supervisor_missed_ticks_total", {
  description: "Ticks of periodic children that got no run because a run overran them",
  incremental: true
})
/** @internal */
export const restartsTotal = Metric.counter("lifeline_supervisor_restarts_total", {
  description: "Restarts of keep-alive children",
  incremental: true
})
/** @internal */
export const escalationsTotal = Metric.counter("lifeline_supervisor_escalations_total", {
  description: "Supervisors stopped because restart intensity was exceeded",
  incremental: true
})
/** @internal */
export const abandonedTotal = Metric.counter("lifeline_supervisor_abandoned_total", {
  description: "Children still running at stopTimeout, left behind when a supervisor stopped",
  incremental: true
})

type Outcome = "success" | Api.FailureKind

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

interface ChildRecord {
  readonly name: string
  readonly kind: "periodic" | "keep-alive"
  /** Tags for metrics, precomputed so a run allocates nothing for them. */
  readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  readonly outcomeLabels: Record<Outcome, ReadonlyArray<MetricLabel.MetricLabel>>
  fiber: Fiber.RuntimeFiber<void, never> | undefined
  /** Keep-alive lifecycle; periodic children derive theirs in `childState`. */
  phase: "running" | "backing-off" | "failed"
  startedAt: number
  restarts: number
  lastSuccessAt: number | undefined
  lastFailure: Api.Failure | undefined
  consecutiveFailures: number
  missedTicks: number
  /** Start times of runs whose job has not really ended yet (abandoned ones included). */
  readonly inFlight: Set<{ readonly startedAt: number }>
  readonly stallAfterMillis: number
  readonly staleAfterMillis: number
}

type Status = "open" | "stopping" | "stopped"

class SupervisorImpl implements Api.Supervisor {
  readonly [TypeId]: Api.TypeId = TypeId
  readonly children = new Map<string, ChildRecord>()
  /** Times of restarts inside the current intensity window, oldest first. */
  readonly restartTimes: Array<number> = []
  status: Status = "open"
  constructor(
    readonly name: string,
    readonly intensity: { readonly maxRestarts: number; readonly withinMillis: number } | undefined,
    readonly stopTimeoutMillis: number,
    readonly clock: Clock.Clock,
    readonly done: Deferred.Deferred<void, RestartIntensityExceeded>
  ) {}
  readonly halted: Deferred.Deferred<void> = Deferred.unsafeMake(FiberId.none)
  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON() {
    return { _id: "Supervisor", name: this.name, status: this.status }
  }
}

/** @internal */
export const isSupervisor = (u: unknown): u is Api.Supervisor => typeof u === "object" && u !== null && TypeId in u

const impl = (self: Api.Supervisor): SupervisorImpl => self as SupervisorImpl

// ---------------------------------------------------------------------------------------------------------
// make and stop
// ---------------------------------------------------------------------------------------------------------

const DEFAULT_STOP_TIMEOUT = 5_000

/** @internal */
export const make = (options: Api.Options): Effect.Effect<Api.Supervisor, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const name = yield* nonEmptyName("name", options?.name)
    const stopTimeoutMillis = yield* optionalMillis("stopTimeout", options.stopTimeout, DEFAULT_STOP_TIMEOUT)
    let intensity: SupervisorImpl["intensity"] = undefined
    if (options.intensity !== undefined) {
      const maxRestarts = yield* Options.positiveInteger("intensity.maxRestarts", options.intensity.maxRestarts)
      const withinMillis = yield* positiveMillis("intensity.within", options.intensity.within)
      intensity = { maxRestarts, withinMillis }
    }
    const clock = yield* Effect.clock
    const done = yield* Deferred.make<void, RestartIntensityExceeded>()
    const sup = new SupervisorImpl(name, intensity, stopTimeoutMillis, clock, done)
    yield* Effect.addFinalizer(() =>
      stop(sup, "scope closed").pipe(
        Effect.zipRight(Deferred.succeed(done, undefined)),
        Effect.asVoid
      )
    )
    return sup
  })

/**
 * Stops the supervisor once; a second caller (the scope's finalizer after an escalation) waits for the
 * first stop to finish.
 */
const stop = (sup: SupervisorImpl, reason: string): Effect.Effect<void> => Effect.suspend(() => beginStop(sup, reason))

/**
 * Interrupts every child and waits at most `stopTimeout`. Runs in finalizers and after an escalation,
 * both uninterruptible, so the wait itself is made interruptible or the timeout could never cut it.
 * Marks the supervisor as stopping when called, not when run, so that two escalations cannot race.
 */
const beginStop = (sup: SupervisorImpl, reason: string): Effect.Effect<void> => {
  if (sup.status !== "open") return Deferred.await(sup.halted)
  sup.status = "stopping"
  const fibers: Array<Fiber.RuntimeFiber<void, never>> = []
  for (const child of sup.children.values()) {
    if (child.fiber !== undefined) fibers.push(child.fiber)
  }
  return Effect.fiberIdWith((self) =>
    Effect.forEach(fibers, (fiber) => Fiber.interruptAsFork(fiber, self), { discard: true })
  ).pipe(
    Effect.zipRight(
      Effect.interruptible(Fiber.awaitAll(fibers)).pipe(
        Effect.timeoutOption(Duration.millis(sup.stopTimeoutMillis))
      )
    ),
    Effect.flatMap(() => {
      sup.status = "stopped"
      const abandoned: Array<string> = []
      for (const child of sup.children.values()) {
        child.phase = "failed"
        child.inFlight.clear()
        if (child.fiber !== undefined && child.fiber.unsafePoll() === null) abandoned.push(child.name)
      }
      if (abandoned.length === 0) return Effect.void
      abandonedTotal.unsafeUpdate(abandoned.length, [MetricLabel.make("supervisor", sup.name)])
      return Effect.logError(
        `supervisor ${sup.name}: ${abandoned.length} child(ren) still running ${
          formatMillis(sup.stopTimeoutMillis)
        } after interruption (${reason}); abandoned: ${abandoned.join(", ")}`
      ).pipe(Effect.annotateLogs({ supervisor: sup.name, abandoned: abandoned.join(",") }))
    }),
    Effect.ensuring(Deferred.succeed(sup.halted, undefined))
  )
}

const escalate = (sup: SupervisorImpl, error: RestartIntensityExceeded): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (sup.status !== "open") return Effect.void
    const stopping = beginStop(sup, "restart intensity exceeded")
    escalationsTotal.unsafeUpdate(1, [MetricLabel.make("supervisor", sup.name)])
    return Effect.logError(`${error.message}; stopping every child of ${sup.name}`).pipe(
      Effect.annotateLogs({ supervisor: sup.name, child: error.child }),
      Effect.zipRight(
        // The escalating child's own fiber must not wait for itself: the stop runs on its own fiber.
        Effect.forkDaemon(
          stopping.pipe(Effect.zipRight(Deferred.fail(sup.done, error)))
        )
      ),
      Effect.asVoid
    )
  })

// ---------------------------------------------------------------------------------------------------------
// children
// ---------------------------------------------------------------------------------------------------------

const register = (
  sup: SupervisorImpl,
  name: string,
  kind: ChildRecord["kind"],
  stallAfterMillis: number,
  staleAfterMillis: number
): Either.Either<ChildRecord, InvalidOptions> => {
  if (sup.children.has(name)) {
    return Either.left(invalid("name", name, `must be unique among the children of supervisor ${sup.name}`))
  }
  const labels = [MetricLabel.make("supervisor", sup.name), MetricLabel.make("child", name)]
  const outcome = (o: Outcome) => [...labels, MetricLabel.make("outcome", o)]
  const record: ChildRecord = {
    name,
    kind,
    labels,
    outcomeLabels: {
      success: outcome("success"),
      failure: outcome("failure"),
      defect: outcome("defect"),
      timeout: outcome("timeout"),
      interrupted: outcome("interrupted")
    },
    fiber: undefined,
    phase: "running",
    startedAt: sup.clock.unsafeCurrentTimeMillis(),
    restarts: 0,
    lastSuccessAt: undefined,
    lastFailure: undefined,
    consecutiveFailures: 0,
    missedTicks: 0,
    inFlight: new Set(),
    stallAfterMillis,
    staleAfterMillis
  }
  sup.children.set(name, record)
  return Either.right(record)
}

const classify = <E>(cause: Cause.Cause<E>): Api.FailureKind => {
  if (Cause.isDie(cause)) return "defect"
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value as { readonly _tag?: unknown }
    return typeof error === "object" && error !== null && error._tag === "DeadlineExceeded" ? "timeout" : "failure"
  }
  return "interrupted"
}

const messageOf = <E>(cause: Cause.Cause<E>): string => {
  const squashed = Cause.squash(cause)
  if (squashed instanceof Error) return squashed.message || squashed.name
  if (typeof squashed === "object" && squashed !== null && "message" in squashed) {
    return String((squashed as { message: unknown }).message)
  }
  try {
    return typeof squashed === "string" ? squashed : JSON.stringify(squashed) ?? String(squashed)
  } catch {
    return String(squashed)
  }
}

const describeEnd = (kind: Api.FailureKind): string =>
  kind === "failure"
    ? "failed"
    : kind === "defect"
    ? "died with a defect"
    : kind === "timeout"
    ? "timed out"
    : "was interrupted from within"

const recordFailure = <E>(
  child: ChildRecord,
  now: number,
  cause: Cause.Cause<E>
): Api.FailureKind => {
  const kind = classify(cause)
  child.consecutiveFailures++
  child.lastFailure = { at: new Date(now), kind, message: messageOf(cause) }
  runsTotal.unsafeUpdate(1, child.outcomeLabels[kind])
  return kind
}

/** Children are daemons: they belong to the supervisor's scope, not to the fiber that started them. */
const start = <R>(
  sup: SupervisorImpl,
  child: ChildRecord,
  body: Effect.Effect<void, never, R>
): Effect.Effect<void, never, R> =>
  Effect.suspend(() => {
    if (sup.status !== "open") {
      sup.children.delete(child.name)
      return Effect.dieMessage(`supervisor ${sup.name} has stopped; cannot start child ${child.name}`)
    }
    return Effect.forkDaemon(
      body.pipe(Effect.annotateLogs({ supervisor: sup.name, child: child.name }))
    ).pipe(
      Effect.tap((fiber) => {
        child.fiber = fiber
      }),
      Effect.asVoid
    )
  })

// ---------------------------------------------------------------------------------------------------------
// periodic
// ---------------------------------------------------------------------------------------------------------

const DEFAULT_GRACE = 1_000

const periodicImpl = <A, E, R>(
  self: Api.Supervisor,
  name: string,
  job: Effect.Effect<A, E, R>,
  options: Api.PeriodicOptions
): Effect.Effect<void, InvalidOptions, R> =>
  Effect.gen(function* () {
    const sup = impl(self)
    const childName = yield* nonEmptyName("name", name)
    const every = yield* positiveMillis("every", options?.every)
    const timeout = yield* positiveMillis("timeout", options.timeout)
    const grace = yield* optionalMillis("grace", options.grace, DEFAULT_GRACE)
    const staleAfter = yield* optionalMillis("staleAfter", options.staleAfter, 3 * every + timeout)
    const overrun = yield* Options.oneOf("overrun", options.overrun ?? "skip", ["skip", "run-late"] as const)
    const child = yield* register(sup, childName, "periodic", timeout + grace, staleAfter)
    const label = `${sup.name}/${childName}`
    const budget = Duration.millis(timeout)
    const withinOptions = { label, grace: Duration.millis(grace) }
    const clock = sup.clock

    const runOnce: Effect.Effect<void, never, R> = Effect.suspend(() => {
      const token = { startedAt: clock.unsafeCurrentTimeMillis() }
      child.inFlight.add(token)
      // The token leaves when the job really ends, which for work that ignores interruption can be long
      // after `within` gave up on it: health keeps reporting it as stalled until then.
      const tracked = Effect.ensuring(job, Effect.sync(() => child.inFlight.delete(token)))
      return Effect.exit(Deadline.within(tracked, budget, withinOptions)).pipe(
        Effect.flatMap((exit) => {
          const now = clock.unsafeCurrentTimeMillis()
          if (Exit.isSuccess(exit)) {
            child.lastSuccessAt = now
            child.consecutiveFailures = 0
            runsTotal.unsafeUpdate(1, child.outcomeLabels.success)
            return Effect.void
          }
          if (sup.status !== "open") return Effect.void
          const kind = recordFailure(child, now, exit.cause)
          return Effect.logError(
            `periodic child ${childName} run ${describeEnd(kind)}; the loop goes on`,
            exit.cause
          ).pipe(Effect.annotateLogs({ outcome: kind, consecutiveFailures: child.consecutiveFailures }))
        })
      )
    })

    const loop: Effect.Effect<void, never, R> = Effect.suspend(() => {
      const t0 = clock.unsafeCurrentTimeMillis()
      let tick = 0
      const next: Effect.Effect<void, never, R> = Effect.suspend(() => {
        const now = clock.unsafeCurrentTimeMillis()
        // The first tick not yet in the past; the ticks after `tick` and before it were overrun.
        const upcoming = Math.max(tick + 1, Math.ceil((now - t0) / every))
        const passed = upcoming - (tick + 1)
        let missed = 0
        let late = false
        if (passed > 0) {
          if (overrun === "skip") {
            missed = passed
            tick = upcoming
          } else {
            missed = passed - 1
            tick = upcoming - 1
            late = true
          }
        } else {
          tick = tick + 1
        }
        const report = missed === 0 ? Effect.void : Effect.suspend(() => {
          child.missedTicks += missed
          missedTicksTotal.unsafeUpdate(missed, child.labels)
          return Effect.logWarning(
            `periodic child ${childName} overran its period; ${missed} tick(s) missed (overrun: ${overrun})`
          ).pipe(Effect.annotateLogs({ missedTicks: child.missedTicks }))
        })
        const wait = late ? Effect.void : sleepMillis(clock, t0 + tick * every - now)
        return report.pipe(Effect.zipRight(wait), Effect.zipRight(runOnce))
      })
      return runOnce.pipe(Effect.zipRight(Effect.forever(next)))
    })
    yield* start(sup, child, loop)
  })

const sleepMillis = (clock: Clock.Clock, millis: number): Effect.Effect<void> =>
  millis <= 0 ? Effect.void : clock.sleep(Duration.millis(millis))

/** @internal */
export const periodic: {
  <A, E, R>(
    name: string,
    job: Effect.Effect<A, E, R>,
    options: Api.PeriodicOptions
  ): (self: Api.Supervisor) => Effect.Effect<void, InvalidOptions, R>
  <A, E, R>(
    self: Api.Supervisor,
    name: string,
    job: Effect.Effect<A, E, R>,
    options: Api.PeriodicOptions
  ): Effect.Effect<void, InvalidOptions, R>
} = dual((args) => isSupervisor(args[0]), periodicImpl)

// ---------------------------------------------------------------------------------------------------------
// keepAlive
// ---------------------------------------------------------------------------------------------------------

/** Exponential from 100 ms, doubling, jittered, never longer than 30 s. */
const defaultRestart: Schedule.Schedule<unknown, unknown> = Schedule.exponential("100 millis", 2).pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("30 seconds"))
)

const DEFAULT_RESET_AFTER = 60_000

const keepAliveImpl = <A, E, R>(
  self: Api.Supervisor,
  name: string,
  effect: Effect.Effect<A, E, R>,
  options?: Api.KeepAliveOptions
): Effect.Effect<void, InvalidOptions, R> =>
  Effect.gen(function* () {
    const sup = impl(self)
    const childName = yield* nonEmptyName("name", name)
    const resetAfter = yield* optionalMillis("resetAfter", options?.resetAfter, DEFAULT_RESET_AFTER)
    const schedule = options?.restart ?? defaultRestart
    if (!Schedule.isSchedule(schedule)) {
      return yield* Effect.fail(invalid("restart", schedule, "must be a Schedule"))
    }
    const child = yield* register(sup, childName, "keep-alive", Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)
    const clock = sup.clock

    const loop: Effect.Effect<void, never, R> = Effect.gen(function* () {
      let state: unknown = schedule.initial
      while (true) {
        child.phase = "running"
        const began = clock.unsafeCurrentTimeMillis()
        const exit = yield* Effect.exit(effect)
        if (sup.status !== "open") return
        const now = clock.unsafeCurrentTimeMillis()
        if (now - began >= resetAfter) {
          state = schedule.initial
          child.consecutiveFailures = 0
        }
        if (Exit.isSuccess(exit)) {
          child.lastSuccessAt = now
          child.consecutiveFailures = 0
          runsTotal.unsafeUpdate(1, child.outcomeLabels.success)
          yield* Effect.logWarning(
            `keep-alive child ${childName} returned, but it is meant to run forever; restarting it`
          )
        } else {
          const kind = recordFailure(child, now, exit.cause)
          yield* Effect.logError(`keep-alive child ${childName} ${describeEnd(kind)}; restarting it`, exit.cause).pipe(
            Effect.annotateLogs({ outcome: kind, consecutiveFailures: child.consecutiveFailures })
          )
        }
        if (sup.intensity !== undefined) {
          const { maxRestarts, withinMillis } = sup.intensity
          const window = sup.restartTimes
          window.push(now)
          while (window.length > 0 && window[0]! <= now - withinMillis) window.shift()
          if (window.length > maxRestarts) {
            child.phase = "failed"
            yield* escalate(
              sup,
              new RestartIntensityExceeded({
                supervisor: sup.name,
                child: childName,
                restarts: window.length,
                within: Duration.millis(withinMillis)
              })
            )
            return
          }
        }
        const [nextState, , decision] = yield* schedule.step(now, exit, state)
        state = nextState
        if (ScheduleDecision.isDone(decision)) {
          child.phase = "failed"
          yield* Effect.logError(`keep-alive child ${childName}: restart schedule is done; giving the child up`)
          return
        }
        const delay = Intervals.start(decision.intervals) - now
        child.phase = "backing-off"
        yield* Effect.logInfo(`keep-alive child ${childName} restarts in ${formatMillis(delay)}`)
        yield* sleepMillis(clock, delay)
        if (sup.status !== "open") return
        child.restarts++
        restartsTotal.unsafeUpdate(1, child.labels)
      }
    })
    yield* start(sup, child, loop)
  })

/** @internal */
export const keepAlive: {
  <A, E, R>(
    name: string,
    effect: Effect.Effect<A, E, R>,
    options?: Api.KeepAliveOptions
  ): (self: Api.Supervisor) => Effect.Effect<void, InvalidOptions, R>
  <A, E, R>(
    self: Api.Supervisor,
    name: string,
    effect: Effect.Effect<A, E, R>,
    options?: Api.KeepAliveOptions
  ): Effect.Effect<void, InvalidOptions, R>
} = dual((args) => isSupervisor(args[0]), keepAliveImpl)

// ---------------------------------------------------------------------------------------------------------
// join and health
// ---------------------------------------------------------------------------------------------------------

/** @internal */
export const join = (self: Api.Supervisor): Effect.Effect<void, RestartIntensityExceeded> =>
  Deferred.await(impl(self).done)

const childState = (child: ChildRecord, now: number): Api.ChildState => {
  if (child.phase === "failed") return "failed"
  if (child.kind === "keep-alive") return child.phase
  for (const run of child.inFlight) {
    if (now - run.startedAt > child.stallAfterMillis) return "stalled"
  }
  if (now - (child.lastSuccessAt ?? child.startedAt) > child.staleAfterMillis) return "stalled"
  return "running"
}

/** @internal */
export const healthSync = (self: Api.Supervisor): Api.Health => {
  const sup = impl(self)
  const now = sup.clock.unsafeCurrentTimeMillis()
  let healthy = sup.status === "open"
  const children: Array<Api.ChildHealth> = []
  for (const child of sup.children.values()) {
    const state = childState(child, now)
    if (state === "stalled" || state === "failed") healthy = false
    children.push({
      name: child.name,
      kind: child.kind,
      state,
      restarts: child.restarts,
      lastSuccessAt: child.lastSuccessAt === undefined ? null : new Date(child.lastSuccessAt),
      lastFailure: child.lastFailure ?? null,
      consecutiveFailures: child.consecutiveFailures,
      missedTicks: child.missedTicks
    })
  }
  return { healthy, supervisor: sup.name, children }
}

/** @internal */
export const health = (self: Api.Supervisor): Effect.Effect<Api.Health> => Effect.sync(() => healthSync(self))

/** @internal */
export const healthApp = (self: Api.Supervisor): HttpApp.Default =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const path = request.url.split("?", 1)[0]
    if (path !== "/healthz") {
      return Effect.succeed(HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404 }))
    }
    const report = healthSync(self)
    return Effect.succeed(HttpServerResponse.unsafeJson(report, { status: report.healthy ? 200 : 503 }))
  })
