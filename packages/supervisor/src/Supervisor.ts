/**
 * Scoped supervisors for long-lived background work: periodic loops and keep-alive children.
 *
 * Answers the `patrol-loop-stall` replay: a patrol loop stopped for hours while its health check said OK. A
 * sweep hung on a half-open connection because nothing bounded it, the ticker dropped the ticks that came
 * meanwhile, a panic would have ended the loop for good, nothing restarted the loop, and liveness was "the
 * process is up" rather than "the work makes progress".
 *
 * A supervisor lives in a `Scope`. Its children are fibers it starts, watches and stops; a child belongs to the
 * supervisor, not to the fiber that started it, so it never inherits that fiber's deadline:
 *
 * - {@link periodic} runs a job on a fixed cadence, each run bounded by `Deadline.within`; a run that
 *   fails, dies (or throws), or times out is logged at Error with its pretty `Cause` and counted, and the loop
 *   goes on. Ticks that pass while a run overruns are counted as missed, never silently dropped.
 * - {@link keepAlive} runs an effect meant to run forever and restarts it after any end — success,
 *   failure or defect — following a `Schedule`. Restarts beyond the supervisor's intensity (N within any
 *   window of T) escalate through {@link join}.
 * - {@link health} and {@link healthApp} report progress, not mere liveness: a loop whose run outlives its
 *   deadline, or that has not succeeded for `staleAfter`, is `stalled`, and the report turns unhealthy until a
 *   later run succeeds.
 *
 * Cadences, staleness, restart delays and windows are measured on the monotonic clock, so a step of the
 * system clock neither stalls a loop nor makes it look stale; periods longer than a runtime timer can wait
 * (about 24.8 days) still fire.
 *
 * Effect has the parts but not this whole: its `Supervisor` module only observes fibers, `FiberSet` fails
 * fast, `Effect.retry` does not retry defects, a forked fiber's death is logged at Debug, `Schedule.fixed`
 * skips missed ticks silently, and nothing limits restart intensity.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type { Deadline } from "@lifeline/deadline"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import type { Pipeable } from "effect/Pipeable"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as health_ from "./internal/health.ts"
import * as keepAlive_ from "./internal/keepAlive.ts"
import * as metrics from "./internal/metrics.ts"
import * as model from "./internal/model.ts"
import * as periodic_ from "./internal/periodic.ts"
import * as supervisor from "./internal/supervisor.ts"

/**
 * The brand carried by every {@link Supervisor}: `Supervisor.TypeId in value` is what {@link isSupervisor}
 * checks.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 *
 * const looksLikeSupervisor = (u: object) => Supervisor.TypeId in u
 * console.log(looksLikeSupervisor({ name: "agents" })) // false: the brand, not the shape, decides
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = model.TypeId

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A supervisor: the owner of a set of named children, alive for the `Scope` it was made in.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * // Takes the supervisor as a value: whoever made it decides how long it lives.
 * const startPatrol = (sup: Supervisor.Supervisor) =>
 *   Supervisor.periodic(sup, "patrol", Effect.log("sweep"), { every: "1 hour", timeout: "5 minutes" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Supervisor extends Pipeable {
  readonly [TypeId]: TypeId
  /** The name given to {@link make}; it labels logs and metrics. */
  readonly name: string
}

/**
 * Restart intensity, OTP style: at most `maxRestarts` restarts within any window of length `within`.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * // A sixth restart inside any minute stops the supervisor and fails `join`.
 * const intensity: Supervisor.Intensity = { maxRestarts: 5, within: "1 minute" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Intensity {
  /** Restarts allowed inside any window of length `within`; one more escalates. A whole number ≥ 1. */
  readonly maxRestarts: number
  /** Length of the sliding window. A positive, finite duration. */
  readonly within: Duration.DurationInput
}

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * // Kubernetes sends SIGKILL 30 s after SIGTERM: stop the children well before that.
 * const options: Supervisor.Options = {
 *   name: "agents",
 *   intensity: { maxRestarts: 5, within: "1 minute" },
 *   stopTimeout: "10 seconds"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Names the supervisor in logs (`supervisor` annotation), metrics (`supervisor` tag) and health. */
  readonly name: string
  /**
   * Restart intensity of keep-alive children, counted across all children of this supervisor.
   *
   * @default none: restarts are limited only by their schedules' delays
   */
  readonly intensity?: Intensity | undefined
  /**
   * How long closing the scope (or an escalation) waits for interrupted children to end before it
   * abandons them and logs their names. A positive, finite duration.
   *
   * @default "5 seconds"
   */
  readonly stopTimeout?: Duration.DurationInput | undefined
}

/**
 * What a periodic child does with ticks that pass while a run overruns its period.
 *
 * - `"skip"`: the passed ticks are missed (counted); the next run waits for the next tick on the grid.
 * - `"run-late"`: one run starts at once for the passed ticks; any further passed ticks are missed.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * // A sweep that starts late is worth more than one skipped; further passed ticks still count as missed.
 * const overrun: Supervisor.Overrun = "run-late"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Overrun = "skip" | "run-late"

/**
 * Options of {@link periodic}.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * // Hourly; a sweep gets 5 minutes; three hours without a success turns /healthz red.
 * const options: Supervisor.PeriodicOptions = { every: "1 hour", timeout: "5 minutes", staleAfter: "3 hours" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PeriodicOptions {
  /**
   * The period. Runs are due at `start + k × every` on the monotonic clock; the first run starts at once.
   * Positive and finite; periods longer than a runtime timer can wait (about 24.8 days) are fine.
   */
  readonly every: Duration.DurationInput
  /** The deadline of each run, enforced by `Deadline.within`. Positive and finite. */
  readonly timeout: Duration.DurationInput
  /**
   * What to do with ticks that pass while a run overruns.
   *
   * @default "skip"
   */
  readonly overrun?: Overrun | undefined
  /**
   * The child is `stalled` when no run has succeeded for this long (counted from the child's start until its
   * first success). Positive and finite.
   *
   * @default 3 × every + timeout
   */
  readonly staleAfter?: Duration.DurationInput | undefined
  /**
   * How long a run that ignores interruption may outlive its deadline: passed to `Deadline.within` (after it
   * the run is abandoned, counted in `abandonedRuns`, and the loop goes on) and used by {@link health} (a
   * run in progress longer than `timeout + grace` makes the child `stalled`). Finite and ≥ 0.
   *
   * @default "1 second"
   */
  readonly grace?: Duration.DurationInput | undefined
}

/**
 * Options of {@link keepAlive}.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 * import { Schedule } from "effect"
 *
 * // Reconnect every second, at most 10 times in a row; then give up and report the child failed.
 * const options: Supervisor.KeepAliveOptions = {
 *   restart: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(10)))
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface KeepAliveOptions {
  /**
   * Delays between an end and the restart. Its input is the `Exit` of the run that ended. When the schedule
   * is done (or dies) the child is given up: its state becomes `"failed"` and the report unhealthy.
   *
   * @default exponential from 100 millis, factor 2, jittered, capped at 30 seconds
   */
  readonly restart?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * A run that lasted at least this long resets the restart schedule (back to its first, shortest delay)
   * and `consecutiveFailures`, so a child that crashes once a day is not held at the longest backoff.
   * Positive and finite.
   *
   * @default "1 minute"
   */
  readonly resetAfter?: Duration.DurationInput | undefined
}

/**
 * The state of a child in a {@link Health} report.
 *
 * - `"running"`: making progress (a keep-alive child is up; a periodic child is on schedule).
 * - `"backing-off"`: a keep-alive child ended and waits for its restart delay.
 * - `"stalled"`: a periodic child whose run has been in progress longer than `timeout + grace` (typically
 *   work that ignores interruption; an abandoned run counts until it ends or the loop starts its next run),
 *   or that has not succeeded for `staleAfter`.
 * - `"failed"`: the child is not running and will not run again: its restart schedule is done, it
 *   escalated restart intensity, or the supervisor has stopped.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * const needsAPage = (state: Supervisor.ChildState): boolean => state === "stalled" || state === "failed"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ChildState = "running" | "backing-off" | "stalled" | "failed"

/**
 * How a run or an incarnation of a child ended badly: a typed `"failure"`, a `"defect"` (a die, or anything
 * thrown), a `"timeout"` (its `Deadline.within` expired) or an `"interrupted"` from within.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * // Timeouts point at a slow dependency, defects at a bug.
 * const owner = (kind: Supervisor.FailureKind) => kind === "defect" ? "developers" : "on-call"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FailureKind = "failure" | "defect" | "timeout" | "interrupted"

/**
 * The last bad end of a child, as carried by {@link ChildHealth}.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * const describe = (failure: Supervisor.Failure) =>
 *   `${failure.kind} at ${failure.at.toISOString()}: ${failure.message}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  /** When the run ended, on the wall clock. */
  readonly at: Date
  readonly kind: FailureKind
  /** The error's message, at most 1024 characters (the full pretty `Cause` goes to the Error log). */
  readonly message: string
}

/**
 * One child in a {@link Health} report.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * // Work abandoned at its deadline keeps running detached: watch for it growing.
 * const leaking = (sup: Supervisor.Supervisor) =>
 *   Effect.map(Supervisor.health(sup), (report) => report.children.filter((child) => child.abandonedRuns > 0))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ChildHealth {
  readonly name: string
  /** Which constructor started the child. */
  readonly kind: "periodic" | "keep-alive"
  readonly state: ChildState
  /** Restarts of a keep-alive child (always 0 for a periodic child, whose loop is never restarted). */
  readonly restarts: number
  /** End of the last successful run (periodic) or the last end by success (keep-alive), on the wall clock. */
  readonly lastSuccessAt: Date | null
  /** The last run that failed, died, timed out or was interrupted from within; `null` if none. */
  readonly lastFailure: Failure | null
  /** Bad ends since the last success (or, for keep-alive, since a run that lasted `resetAfter`). */
  readonly consecutiveFailures: number
  /** Ticks of a periodic child that got no run because a run overran them. */
  readonly missedTicks: number
  /**
   * Runs of a periodic child given up at `timeout + grace` while their work was still running (it ignores
   * interruption, and is left running detached). Always 0 for a keep-alive child.
   */
  readonly abandonedRuns: number
}

/**
 * The report of {@link health}: healthy unless a child is `stalled` or `failed`, or the supervisor has
 * stopped.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * const logUnhealthy = (sup: Supervisor.Supervisor) =>
 *   Effect.flatMap(Supervisor.health(sup), (report: Supervisor.Health) =>
 *     report.healthy ? Effect.void : Effect.logWarning("unhealthy", report.children.map((c) => c.state)))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Health {
  readonly healthy: boolean
  /** The supervisor's name. */
  readonly supervisor: string
  /** Children in the order they were started. */
  readonly children: ReadonlyArray<ChildHealth>
}

/**
 * The fields of {@link RestartIntensityExceeded}.
 *
 * @example
 * ```ts
 * import type { Supervisor } from "@lifeline/supervisor"
 *
 * const page = (e: Supervisor.RestartIntensityExceededFields) =>
 *   `${e.supervisor}: ${e.child} crash-looped (${e.restarts} restarts)`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface RestartIntensityExceededFields {
  /** The supervisor that escalated. */
  readonly supervisor: string
  /** The child whose end tipped the window over. */
  readonly child: string
  /** Restarts inside the window, counting the one that was refused. */
  readonly restarts: number
  /** The window length of the supervisor's intensity. */
  readonly within: Duration.Duration
}

/**
 * Restart intensity was exceeded: `restarts` restarts (more than `maxRestarts`) fell within one window of
 * length `within`. The supervisor stops all its children and {@link join} fails with this error.
 *
 * @since 0.1.0
 * @category errors
 */
export interface RestartIntensityExceeded extends Cause.YieldableError, RestartIntensityExceededFields {
  readonly _tag: "RestartIntensityExceeded"
}

/**
 * Makes a {@link RestartIntensityExceeded}; `instanceof Supervisor.RestartIntensityExceeded` recognises one
 * and `Effect.catchTag("RestartIntensityExceeded", …)` catches it.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Duration } from "effect"
 *
 * const error = new Supervisor.RestartIntensityExceeded({
 *   supervisor: "agents", child: "patrol", restarts: 6, within: Duration.minutes(1)
 * })
 * console.log(error.message) // agents: child "patrol" needed 6 restarts within 1m, more than the intensity allows
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const RestartIntensityExceeded: new (fields: RestartIntensityExceededFields) => RestartIntensityExceeded =
  model.RestartIntensityExceeded

/**
 * Whether a value is a {@link Supervisor}.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 *
 * console.log(Supervisor.isSupervisor({ name: "agents" })) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isSupervisor: (u: unknown) => u is Supervisor = model.isSupervisor

/**
 * Makes a supervisor that lives until the surrounding `Scope` closes.
 *
 * Closing the scope interrupts every child at once, waits at most `stopTimeout` for them to end, then
 * abandons those still running (work that ignores interruption), logs their names at Error and counts them
 * in `lifeline_supervisor_abandoned_total`. Fails with `InvalidOptions` for a bad option.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sup = yield* Supervisor.make({ name: "agents", intensity: { maxRestarts: 5, within: "1 minute" } })
 *   yield* Supervisor.periodic(sup, "patrol", Effect.log("sweep"), { every: "1 hour", timeout: "5 minutes" })
 *   yield* Supervisor.join(sup)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Supervisor, Deadline.InvalidOptions, Scope.Scope> =
  supervisor.make

/**
 * Starts a child that runs `job` on a fixed cadence and returns once it is started.
 *
 * Runs are due at `start + k × every` on the monotonic clock, the first at once. Each run is bounded by
 * `Deadline.within(timeout, { grace })` and only by that: the child never inherits a deadline of the fiber
 * that started it. A run that fails, dies (a thrown exception included), times out or is interrupted from
 * within is logged at Error with its pretty `Cause`, recorded in {@link health} and counted in
 * `lifeline_supervisor_runs_total{outcome}`; the loop goes on. A run still running `grace` after its deadline
 * is abandoned (counted in `abandonedRuns`, its work left running) and the loop goes on. Ticks passed during
 * an overrun are handled by `overrun`, and every one that gets no run is counted in `missedTicks` and
 * `lifeline_supervisor_missed_ticks_total`. Fails with `InvalidOptions` for a bad option, a `job` that is not
 * an Effect, or a name already used in this supervisor.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * const sweep = Effect.log("collect → analyze → execute")
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sup = yield* Supervisor.make({ name: "agents" })
 *   yield* Supervisor.periodic(sup, "patrol", sweep, { every: "1 hour", timeout: "5 minutes" })
 *   // data-last
 *   yield* sup.pipe(Supervisor.periodic("report", sweep, { every: "1 minute", timeout: "10 seconds" }))
 *   yield* Supervisor.join(sup)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category children
 */
export const periodic: {
  <A, E, R>(
    name: string,
    job: Effect.Effect<A, E, R>,
    options: PeriodicOptions
  ): (self: Supervisor) => Effect.Effect<void, Deadline.InvalidOptions, R>
  <A, E, R>(
    self: Supervisor,
    name: string,
    job: Effect.Effect<A, E, R>,
    options: PeriodicOptions
  ): Effect.Effect<void, Deadline.InvalidOptions, R>
} = periodic_.periodic

/**
 * Starts a child meant to run forever and returns once it is started.
 *
 * Any end while the supervisor is open — success, failure, defect (a thrown exception included) or an
 * interruption from within — is logged (Error with the pretty `Cause` for a bad end, Warning for a success)
 * and restarts the child after the `restart` schedule's delay, measured on the monotonic clock. Restarts
 * count against the supervisor's intensity; one too many stops the supervisor and makes {@link join} fail
 * with {@link RestartIntensityExceeded}. Inside the child, `Deadline.remaining` is `None` until it sets a
 * deadline of its own. Fails with `InvalidOptions` for a bad option, an `effect` that is not an Effect, or a
 * name already used in this supervisor.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect, Schedule } from "effect"
 *
 * const consumer = Effect.never
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sup = yield* Supervisor.make({ name: "agents", intensity: { maxRestarts: 5, within: "1 minute" } })
 *   yield* Supervisor.keepAlive(sup, "consumer", consumer)
 *   yield* Supervisor.keepAlive(sup, "watcher", consumer, { restart: Schedule.spaced("1 second") })
 *   yield* Supervisor.join(sup)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category children
 */
export const keepAlive: {
  <A, E, R>(
    name: string,
    effect: Effect.Effect<A, E, R>,
    options?: KeepAliveOptions
  ): (self: Supervisor) => Effect.Effect<void, Deadline.InvalidOptions, R>
  <A, E, R>(
    self: Supervisor,
    name: string,
    effect: Effect.Effect<A, E, R>,
    options?: KeepAliveOptions
  ): Effect.Effect<void, Deadline.InvalidOptions, R>
} = keepAlive_.keepAlive

/**
 * Waits until the supervisor stops.
 *
 * Fails with {@link RestartIntensityExceeded} when a keep-alive child exceeded the restart intensity (after
 * the other children were stopped, within `stopTimeout`). Succeeds when the supervisor's scope closed
 * normally — so a `join` in the scope's own fiber waits forever unless something escalates, which is the
 * usual shape of a service's main fiber.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sup = yield* Supervisor.make({ name: "agents", intensity: { maxRestarts: 3, within: "10 seconds" } })
 *   yield* Supervisor.keepAlive(sup, "consumer", Effect.never)
 *   yield* Supervisor.join(sup).pipe(
 *     Effect.catchTag("RestartIntensityExceeded", (e) => Effect.logError(e.message))
 *   )
 * }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const join: (self: Supervisor) => Effect.Effect<void, RestartIntensityExceeded> = supervisor.join

/**
 * Reports the state of every child, judged by progress at the current time of the supervisor's `Clock`
 * (monotonic for every comparison; the `Date`s in the report are wall-clock time).
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sup = yield* Supervisor.make({ name: "agents" })
 *   yield* Supervisor.periodic(sup, "patrol", Effect.void, { every: "1 second", timeout: "500 millis" })
 *   const report = yield* Supervisor.health(sup)
 *   console.log(report.healthy, report.children[0]?.state) // true "running"
 * }))
 * ```
 *
 * @since 0.1.0
 * @category health
 */
export const health: (self: Supervisor) => Effect.Effect<Health> = health_.health

/**
 * An `@effect/platform` `HttpApp` for liveness probes. `GET /healthz` answers 200 when the {@link health}
 * report is healthy and 503 when it is not, with the report as JSON; `HEAD /healthz` answers the same status
 * without a body. Other methods on `/healthz` get 405 with `Allow: GET, HEAD`; any other path gets 404.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { HttpServer } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sup = yield* Supervisor.make({ name: "agents" })
 *   yield* HttpServer.serveEffect(Supervisor.healthApp(sup)) // livenessProbe: httpGet /healthz
 * }))
 * ```
 *
 * @since 0.1.0
 * @category health
 */
export const healthApp: (self: Supervisor) => HttpApp.Default = health_.healthApp

/**
 * Counter of periodic runs and keep-alive ends, tagged `supervisor`, `child` and `outcome` (`success`,
 * `failure`, `defect`, `timeout`, `interrupted`). Effect tells series apart by their tags in order, so read
 * a series with the tags in the order listed.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect, Metric } from "effect"
 *
 * const failures = Metric.value(
 *   Supervisor.runsTotal.pipe(
 *     Metric.tagged("supervisor", "agents"),
 *     Metric.tagged("child", "patrol"),
 *     Metric.tagged("outcome", "failure")
 *   )
 * ).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const runsTotal: Metric.Metric.Counter<number> = metrics.runsTotal

/**
 * Counter of ticks of periodic children that got no run, tagged `supervisor` and `child`.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect, Metric } from "effect"
 *
 * const missed = Metric.value(
 *   Supervisor.missedTicksTotal.pipe(Metric.tagged("supervisor", "agents"), Metric.tagged("child", "patrol"))
 * ).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const missedTicksTotal: Metric.Metric.Counter<number> = metrics.missedTicksTotal

/**
 * Counter of keep-alive restarts, tagged `supervisor` and `child`.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect, Metric } from "effect"
 *
 * const restarts = Metric.value(
 *   Supervisor.restartsTotal.pipe(Metric.tagged("supervisor", "agents"), Metric.tagged("child", "watcher"))
 * ).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const restartsTotal: Metric.Metric.Counter<number> = metrics.restartsTotal

/**
 * Counter of supervisors stopped by {@link RestartIntensityExceeded}, tagged `supervisor`.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect, Metric } from "effect"
 *
 * const escalations = Metric.value(Supervisor.escalationsTotal.pipe(Metric.tagged("supervisor", "agents")))
 *   .pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const escalationsTotal: Metric.Metric.Counter<number> = metrics.escalationsTotal

/**
 * Counter of children still running at `stopTimeout` and left behind, tagged `supervisor`.
 *
 * @example
 * ```ts
 * import { Supervisor } from "@lifeline/supervisor"
 * import { Effect, Metric } from "effect"
 *
 * const abandoned = Metric.value(Supervisor.abandonedTotal.pipe(Metric.tagged("supervisor", "agents")))
 *   .pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const abandonedTotal: Metric.Metric.Counter<number> = metrics.abandonedTotal
