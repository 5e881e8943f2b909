/**
 * Deadlines tied to interruption, with budgets inherited by nested work.
 *
 * Answers the patrol-loop-stall replay: a patrol loop stopped for hours because one HTTP call on a half-open
 * connection never returned and nothing bounded it. Effect has the same trap in quieter forms:
 * `Effect.timeout` interrupts and then waits for the work (so uninterruptible work, and any timeout inside a
 * finalizer, ignores it); `Effect.tryPromise` passes an `AbortSignal` only to functions that declare a
 * parameter; nested timeouts do not share a budget. A deadline here never waits past its budget plus a
 * bounded grace, shares its budget with everything nested inside it, aborts promise work so that sockets are
 * really released, and is measured on the monotonic clock, so a step of the system clock moves nothing.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import type * as Option from "effect/Option"
import * as internal from "./internal/deadline.ts"
import * as invalidOptions from "./internal/invalidOptions.ts"
import type * as InvalidOptions_ from "./InvalidOptions.ts"

/**
 * The fields of {@link DeadlineExceeded}.
 *
 * - `label`: the `label` of the `within` that gave up.
 * - `budget`: that `within`'s own budget.
 * - `elapsed`: time from the start of the `within` to the failure, on the monotonic clock.
 * - `inherited`: the limit came from an enclosing deadline that ends sooner than this budget.
 * - `abandoned`: the work could not be interrupted within the grace period and was left running detached.
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Duration } from "effect"
 *
 * const fields: Deadline.DeadlineExceededFields = {
 *   label: "sweep",
 *   budget: Duration.seconds(5),
 *   elapsed: Duration.seconds(5),
 *   inherited: false,
 *   abandoned: false
 * }
 * console.log(new Deadline.DeadlineExceeded(fields).message) // sweep: deadline of 5s exceeded after 5s
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadlineExceededFields {
  readonly label: string
  readonly budget: Duration.Duration
  readonly elapsed: Duration.Duration
  readonly inherited: boolean
  readonly abandoned: boolean
}

/**
 * The error of work that did not finish before its deadline.
 *
 * @since 0.1.0
 * @category errors
 */
export interface DeadlineExceeded extends Cause.YieldableError, DeadlineExceededFields {
  readonly _tag: "DeadlineExceeded"
}

/**
 * Makes a {@link DeadlineExceeded}; `instanceof Deadline.DeadlineExceeded` recognises one, and
 * `Effect.catchTag("DeadlineExceeded", …)` catches it.
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const program = Effect.never.pipe(
 *   Deadline.within("1 second", { label: "sweep" }),
 *   Effect.catchTag("DeadlineExceeded", (e) => Effect.log(`${e.label} gave up after ${e.elapsed}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const DeadlineExceeded: new (fields: DeadlineExceededFields) => DeadlineExceeded = internal.DeadlineExceeded

/**
 * The error for an option out of its domain; the same class as the `InvalidOptions` module's, re-exported
 * here for convenience.
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 *
 * const error = new Deadline.InvalidOptions({ option: "grace", value: -1, reason: "must be a finite duration ≥ 0" })
 * console.log(error.message) // grace: must be a finite duration ≥ 0 (got -1)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidOptions: new (fields: InvalidOptions_.InvalidOptionsFields) => InvalidOptions_.InvalidOptions =
  invalidOptions.InvalidOptions

/**
 * The error for an option out of its domain.
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidOptions = InvalidOptions_.InvalidOptions

/**
 * Options of {@link within}.
 *
 * @example
 * ```ts
 * import type { Deadline } from "@lifeline/deadline"
 *
 * const options: Deadline.WithinOptions = { label: "flush", grace: "500 millis" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WithinOptions {
  /**
   * Names the work in `DeadlineExceeded`, logs and metrics (the `label` tag): choose it from a fixed set.
   * @default "deadline"
   */
  readonly label?: string | undefined
  /**
   * How long to wait, after the deadline, for the interrupted work to finish its finalizers: a finite
   * duration ≥ 0. Past it the work is abandoned: left running detached, counted in
   * `lifeline_deadline_abandoned_total` and logged.
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
 * Time is measured on the monotonic clock, and budgets longer than a runtime timer can wait (2^31−1 ms) still
 * fire. A budget of zero or less is already expired and fails at once; a `NaN` or malformed budget, or a
 * grace that is negative, infinite or malformed, is a programming error and dies with `InvalidOptions`;
 * `Duration.infinity` as a budget adds no limit of its own (an inherited one still applies).
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const sweep = Effect.gen(function*() {
 *   // inherits what is left of the outer 5 seconds, not its own 10
 *   yield* Effect.sleep("2 seconds").pipe(Deadline.within("10 seconds", { label: "collect" }))
 * }).pipe(Deadline.within("5 seconds", { label: "sweep" }))
 *
 * // data-first
 * const call = Deadline.within(Effect.never, "1 second")
 * ```
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
} = internal.within

/**
 * The time left of the innermost deadline around the current fiber, or `None` outside any deadline. Never
 * negative.
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const left = yield* Deadline.remaining
 *   yield* Effect.log(Option.match(left, { onNone: () => "no deadline", onSome: (d) => `${d} left` }))
 * }).pipe(Deadline.within("3 seconds"))
 * ```
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
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect } from "effect"
 *
 * const startFlusher = (flushForever: Effect.Effect<never>) =>
 *   Effect.forkScoped(Deadline.detach(flushForever)) // not cut by the deadline of whoever started it
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const detach: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = internal.detach

/**
 * Options of {@link tryPromise}.
 *
 * @example
 * ```ts
 * import type { Deadline } from "@lifeline/deadline"
 *
 * const options: Deadline.TryPromiseOptions<Error> = {
 *   budget: "2 seconds",
 *   label: "GET /alerts",
 *   catch: (cause) => new Error("alerts unavailable", { cause })
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TryPromiseOptions<E> {
  /** A budget of this call's own, combined with any inherited deadline. Without it only the inherited one applies. */
  readonly budget?: Duration.DurationInput | undefined
  /**
   * Names the call in `DeadlineExceeded`, logs and metrics, whichever deadline (its own or the inherited one)
   * bounds it.
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
 * is always passed. Without `budget` the call is bounded by the inherited deadline alone, and the signal
 * fires when it passes, also inside a finalizer (where Effect would not interrupt the call).
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 *
 * const alerts = Deadline.tryPromise((signal) => fetch("http://127.0.0.1:8080/alerts", { signal }), {
 *   budget: "2 seconds",
 *   label: "GET /alerts"
 * })
 * ```
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
 * @example
 * ```ts
 * import type { Deadline } from "@lifeline/deadline"
 *
 * const options: Deadline.HttpClientOptions = { budget: "2 seconds", label: "alerts api" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpClientOptions {
  /** A budget per request, combined with any inherited deadline. */
  readonly budget?: Duration.DurationInput | undefined
  /**
   * Names requests in `DeadlineExceeded`, logs and metrics. The default is the method alone, never the URL:
   * a URL would make a metric series per distinct address and put query strings (tokens) in tags and logs.
   * @default "http <METHOD>", e.g. "http GET"
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
 * ```ts
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
 * ```
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
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Metric } from "effect"
 *
 * const report = Metric.value(Deadline.abandonedTotal.pipe(Metric.tagged("label", "flush"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const abandonedTotal: Metric.Metric.Counter<number> = internal.abandonedTotal

/**
 * Counter of deadlines that expired before their work finished, tagged with `label`.
 *
 * @example
 * ```ts
 * import { Deadline } from "@lifeline/deadline"
 * import { Effect, Metric } from "effect"
 *
 * const report = Metric.value(Deadline.exceededTotal.pipe(Metric.tagged("label", "flush"))).pipe(
 *   Effect.map((s) => s.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const exceededTotal: Metric.Metric.Counter<number> = internal.exceededTotal
