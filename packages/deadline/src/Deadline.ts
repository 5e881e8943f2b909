/**
 * Deadlines tied to interruption, with budgets inherited by nested work.
 *
 * Seed 001: a patrol loop stopped for hours because one HTTP call on a half-open connection never returned
 * and nothing bounded it. Effect has the same trap in quieter forms: `Effect.timeout` interrupts and then
 * waits for the work (so uninterruptible work, and any timeout inside a finalizer, ignores it);
 * `Effect.tryPromise` passes an `AbortSignal` only to functions that declare a parameter; nested timeouts do
 * not share a budget. A `Deadline` never waits past its budget plus a bounded grace, shares its budget with
 * everything nested inside it, and aborts promise work so that sockets are really released.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import type * as MetricState from "effect/MetricState"
import type * as MetricKeyType from "effect/MetricKeyType"
import type * as Option from "effect/Option"
import * as internal from "./internal/deadline.ts"
import { InvalidOptions as InvalidOptions_ } from "./InvalidOptions.ts"

/**
 * The error of work that did not finish before its deadline.
 *
 * - `label`: the `label` of the `within` that gave up.
 * - `budget`: that `within`'s own budget.
 * - `elapsed`: time from the start of the `within` to the failure.
 * - `inherited`: the limit came from an enclosing deadline that ends sooner than this budget.
 * - `abandoned`: the work could not be interrupted within the grace period and was left running detached.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const program = Effect.never.pipe(
 *   Deadline.within("1 second", { label: "sweep" }),
 *   Effect.catchTag("DeadlineExceeded", (e) => Effect.log(`${e.label} gave up after ${e.elapsed}`))
 * )
 *
 * @since 0.1.0
 * @category errors
 */
export const DeadlineExceeded: typeof internal.DeadlineExceeded = internal.DeadlineExceeded

/**
 * The error of work that did not finish before its deadline.
 *
 * @since 0.1.0
 * @category errors
 */
export type DeadlineExceeded = internal.DeadlineExceeded

/**
 * The error for an option out of its domain; re-exported from the `InvalidOptions` module for convenience.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 *
 * const error = new Deadline.InvalidOptions({ option: "grace", value: -1, reason: "must be a duration ≥ 0" })
 * console.log(error.message)
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidOptions: typeof InvalidOptions_ = InvalidOptions_

/**
 * The error for an option out of its domain.
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidOptions = InvalidOptions_

/**
 * Options of {@link within}.
 *
 * @since 0.1.0
 * @category models
 */
export interface WithinOptions {
  /**
   * Names the work in `DeadlineExceeded`, logs and metrics.
   * @default "deadline"
   */
  readonly label?: string | undefined
  /**
   * How long to wait, after the deadline, for the interrupted work to finish its finalizers. Past it the work
   * is abandoned: left running detached, counted in `lifeline_deadline_abandoned_total` and logged.
   * @default "1 second"
   */
  readonly grace?: Duration.DurationInput | undefined
}

/**
 * Runs an effect with a deadline; at the deadline it interrupts the effect and fails with `DeadlineExceeded`.
 *
 * The effective deadline is the earlier of `now + budget` and any deadline inherited from an enclosing
 * `within`, so nested work shares one budget. The effect is interruptible by the deadline even where it runs
 * inside a finalizer. If it is still running `grace` after the deadline (it is uninterruptible), `within`
 * returns anyway with `abandoned: true` and leaves it running detached: it never waits forever.
 *
 * A budget of zero or less is already expired and fails at once; a `NaN` or malformed budget is a programming
 * error and dies with `InvalidOptions`; `Duration.infinity` adds no limit of its own.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const sweep = Effect.gen(function*() {
 *   yield* Effect.sleep("2 seconds").pipe(Deadline.within("10 seconds", { label: "collect" }))
 *   // inherits what is left of the outer 5 seconds, not its own 10
 * }).pipe(Deadline.within("5 seconds", { label: "sweep" }))
 *
 * // data-first
 * const call = Deadline.within(Effect.never, "1 second")
 *
 * @since 0.1.0
 * @category combinators
 */
export const within: {
  (
    budget: Duration.DurationInput,
    options?: WithinOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | DeadlineExceeded, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    budget: Duration.DurationInput,
    options?: WithinOptions
  ): Effect.Effect<A, E | DeadlineExceeded, R>
} = internal.within as any

/**
 * The time left of the innermost deadline around the current fiber, or `None` outside any deadline. Never
 * negative.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const left = yield* Deadline.remaining
 *   yield* Effect.log(Option.match(left, { onNone: () => "no deadline", onSome: (d) => `${d} left` }))
 * }).pipe(Deadline.within("3 seconds"))
 *
 * @since 0.1.0
 * @category getters
 */
export const remaining: Effect.Effect<Option.Option<Duration.Duration>> = internal.remaining

/**
 * Runs an effect outside any inherited deadline, the way Go's `context.WithoutCancel` does: `remaining` is
 * `None` inside it and nested `within`s start from their own budget alone.
 *
 * For work whose lifetime is not the caller's request, such as a background fiber started by a constructor
 * that a caller happens to run inside a short deadline. It changes only the budget: interrupting the fiber
 * still interrupts the effect.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const startFlusher = (flushForever: Effect.Effect<never>) =>
 *   Effect.forkScoped(Deadline.detach(flushForever)) // not cut by the deadline of whoever started it
 *
 * @since 0.1.0
 * @category combinators
 */
export const detach: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = internal.detach

/**
 * Options of {@link tryPromise}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TryPromiseOptions<E> {
  /** A budget of this call's own, combined with any inherited deadline. Without it only the inherited one applies. */
  readonly budget?: Duration.DurationInput | undefined
  /**
   * Names the call in `DeadlineExceeded`.
   * @default "deadline"
   */
  readonly label?: string | undefined
  /**
   * See {@link WithinOptions.grace}.
   * @default "1 second"
   */
  readonly grace?: Duration.DurationInput | undefined
  /** Maps a rejection to the error channel. Without it a rejection is a `Cause.UnknownException`. */
  readonly catch?: ((error: unknown) => E) | undefined
}

/**
 * Runs promise work with an `AbortSignal` that fires at the deadline and on any interruption, so the socket
 * or request behind the promise is really released.
 *
 * Unlike `Effect.tryPromise`, which creates a signal only for functions that declare a parameter, the signal
 * is always passed. Without `budget` the call is bounded by the inherited deadline alone.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 *
 * const alerts = Deadline.tryPromise((signal) => fetch("http://127.0.0.1:8080/alerts", { signal }), {
 *   budget: "2 seconds",
 *   label: "GET /alerts"
 * })
 *
 * @since 0.1.0
 * @category constructors
 */
export const tryPromise: <A, E = Cause.UnknownException>(
  evaluate: (signal: AbortSignal) => PromiseLike<A>,
  options?: TryPromiseOptions<E>
) => Effect.Effect<A, E | DeadlineExceeded> = internal.tryPromise

/**
 * Options of {@link httpClient}.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpClientOptions {
  /** A budget per request, combined with any inherited deadline. */
  readonly budget?: Duration.DurationInput | undefined
  /**
   * Names requests in `DeadlineExceeded`.
   * @default "<METHOD> <url>"
   */
  readonly label?: string | undefined
  /**
   * See {@link WithinOptions.grace}.
   * @default "1 second"
   */
  readonly grace?: Duration.DurationInput | undefined
}

/**
 * An `@effect/platform` `HttpClient` whose every request is bounded by the remaining budget of the enclosing
 * deadline, and by `budget` per request when given. The request runs under `within`, so it is interrupted
 * (and its connection released) at the deadline even when the client's caller is not interruptible.
 *
 * The bound covers executing the request up to the response head; reading the body is bounded by the
 * deadline around the code that reads it.
 *
 * It is a function of a client (data-first and data-last) and also an Effect: `yield* Deadline.httpClient`
 * wraps the `HttpClient` of the context, bounded by the enclosing deadline alone.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = Deadline.httpClient(yield* HttpClient.HttpClient, { budget: "2 seconds" })
 *   const response = yield* client.get("http://127.0.0.1:8080/alerts")
 *   return yield* response.text
 * }).pipe(Deadline.within("5 seconds", { label: "collect" }))
 *
 * // the client of the context, bounded by the enclosing deadline
 * const sweep = Effect.gen(function*() {
 *   const client = yield* Deadline.httpClient
 *   return yield* client.get("http://127.0.0.1:8080/alerts")
 * }).pipe(Deadline.within("5 seconds"))
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient:
  & {
    (
      options?: HttpClientOptions
    ): <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | DeadlineExceeded, R>
    <E, R>(
      client: HttpClient.HttpClient.With<E, R>,
      options?: HttpClientOptions
    ): HttpClient.HttpClient.With<E | DeadlineExceeded, R>
  }
  & Effect.Effect<
    HttpClient.HttpClient.With<HttpClientError.HttpClientError | DeadlineExceeded>,
    never,
    HttpClient.HttpClient
  > = internal.httpClient

/**
 * Counter of work abandoned after its deadline and grace period, tagged with `label`.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Metric } from "effect"
 *
 * const report = Metric.value(Deadline.abandonedTotal.pipe(Metric.tagged("label", "flush"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 *
 * @since 0.1.0
 * @category metrics
 */
export const abandonedTotal: Metric.Metric<
  MetricKeyType.MetricKeyType.Counter<number>,
  number,
  MetricState.MetricState.Counter<number>
> = internal.abandonedTotal

/**
 * Counter of deadlines that expired before their work finished, tagged with `label`.
 *
 * @example
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Metric } from "effect"
 *
 * const report = Metric.value(Deadline.exceededTotal.pipe(Metric.tagged("label", "flush"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 *
 * @since 0.1.0
 * @category metrics
 */
export const exceededTotal: Metric.Metric<
  MetricKeyType.MetricKeyType.Counter<number>,
  number,
  MetricState.MetricState.Counter<number>
> = internal.exceededTotal
