import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Data from "effect/Data"
import { InvalidOptions } from "../InvalidOptions.ts"
import { decodeStrict, duration as validDuration } from "./options.ts"

export interface DeadlineExceededFields {
  readonly label: string
  readonly budget: Duration.Duration
  readonly elapsed: Duration.Duration
  readonly inherited: boolean
  readonly abandoned: boolean
}

// Annotated so that JSR reads the class's type without inferring `Data.TaggedError`'s result.
const DeadlineExceededBase: new (
  args: DeadlineExceededFields
) => Cause.YieldableError & { readonly _tag: "DeadlineExceeded" } & DeadlineExceededFields = Data.TaggedError(
  "DeadlineExceeded"
)<DeadlineExceededFields>

export class DeadlineExceeded extends DeadlineExceededBase {
  override get message(): string {
    const limit = Duration.isFinite(this.budget) ? `deadline of ${Duration.format(this.budget)}` : "deadline"
    const origin = this.inherited ? " (limit inherited from an enclosing deadline)" : ""
    const abandoned = this.abandoned ? "; the work could not be interrupted in time and was left running" : ""
    return `${this.label}: ${limit} exceeded after ${Duration.format(this.elapsed)}${origin}${abandoned}`
  }
}

/**
 * The innermost deadline of the running fiber, as an absolute time on the `Clock` in milliseconds.
 *
 * `expired` is where a nested `within` whose limit was inherited from this one leaves the error it would
 * have raised when this deadline interrupts it: both fire at the same instant, and the caller should see the
 * innermost, most specific error (`inherited: true`) whichever of the two timers ran first.
 */
interface Current {
  readonly at: number
  readonly label: string
  readonly expired: { error: DeadlineExceeded | undefined }
}

export const currentDeadline: FiberRef.FiberRef<Current | undefined> = globalValue(
  Symbol.for("@lifeline/deadline/currentDeadline"),
  () => FiberRef.unsafeMake<Current | undefined>(undefined)
)

export const abandonedTotal = Metric.counter("lifeline_deadline_abandoned_total", {
  description: "Work still running after its deadline and grace period, left running detached",
  incremental: true
})

export const exceededTotal = Metric.counter("lifeline_deadline_exceeded_total", {
  description: "Deadlines that expired before their work finished",
  incremental: true
})

const defaultGrace = Duration.seconds(1)
const defaultLabel = "deadline"

export interface WithinOptions {
  readonly label?: string | undefined
  readonly grace?: Duration.DurationInput | undefined
}

const decodeBudget = (budget: Duration.DurationInput): Duration.Duration => {
  const decoded = decodeStrict(budget)
  if (decoded === undefined) {
    throw new InvalidOptions({ option: "budget", value: budget, reason: "must be a duration" })
  }
  return decoded
}

const decodeGrace = (grace: Duration.DurationInput | undefined): Duration.Duration => {
  if (grace === undefined) return defaultGrace
  const decoded = validDuration("grace", grace, "non-negative")
  if (decoded._tag === "Left") throw decoded.left
  return decoded.right
}

const toMillis = (d: Duration.Duration): number => Duration.toMillis(d)

/**
 * Completes `signal` after `ms` on a daemon fiber of its own, so that a caller waiting on `signal` is woken in
 * time whatever its own interruptibility (a finalizer cannot be interrupted out of a wait).
 */
const alarm = (ms: number, signal: Deferred.Deferred<void>) =>
  Effect.forkDaemon(Effect.interruptible(Effect.zipRight(Effect.sleep(ms), Deferred.succeed(signal, undefined))))

/**
 * What the caller waits on. `ended` is set by the work alone, when it ends; `wake` is completed by the work
 * ending or by the alarm of the current phase (the deadline, then the grace period), whichever comes first.
 */
interface Watch {
  ended: boolean
  wake: Deferred.Deferred<void>
}

/** Runs on the work's fiber as its last step: records the end and wakes whoever waits. */
const signalEnd = (watch: Watch) =>
  Effect.sync(() => {
    watch.ended = true
    Deferred.unsafeDone(watch.wake, Exit.void)
  })

/**
 * Interrupts `work` without waiting for it, then waits for it at most `grace`. Returns whether it ended.
 * Timers are interrupted and awaited (a sleeping fiber ends at once), so none outlives the call.
 */
const stop = <A, E>(work: Fiber.RuntimeFiber<A, E>, watch: Watch, grace: Duration.Duration): Effect.Effect<boolean> =>
  Effect.zipRight(
    // A signal, not `Fiber.interruptFork`: that forks a fiber which would wait forever on uninterruptible work.
    Effect.flatMap(Effect.fiberId, (id) => Fiber.interruptAsFork(work, id)),
    Effect.suspend(() => {
      if (watch.ended) return Effect.succeed(true)
      watch.wake = Deferred.unsafeMake(work.id())
      const wake = watch.wake
      return Effect.flatMap(alarm(toMillis(grace), wake), (timer) =>
        Effect.zipRight(
          Deferred.await(wake),
          Effect.as(Fiber.interrupt(timer), watch.ended)
        ).pipe(Effect.map(() => watch.ended)))
    })
  )

const abandon = (label: string, budget: Duration.Duration, grace: Duration.Duration) =>
  Effect.zipRight(
    Metric.increment(Metric.tagged(abandonedTotal, "label", label)),
    Effect.logWarning("deadline: work could not be interrupted within its grace period; left running").pipe(
      Effect.annotateLogs({ label, budget: Duration.format(budget), grace: Duration.format(grace) })
    )
  )

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
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    budgetInput: Duration.DurationInput,
    options?: WithinOptions
  ): Effect.Effect<A, E | DeadlineExceeded, R> =>
    Effect.suspend(() => {
      let budget: Duration.Duration
      let grace: Duration.Duration
      try {
        budget = decodeBudget(budgetInput)
        grace = decodeGrace(options?.grace)
      } catch (error) {
        return Effect.die(error)
      }
      const label = options?.label ?? defaultLabel
      return Effect.flatMap(
        Effect.zip(Clock.currentTimeMillis, FiberRef.get(currentDeadline)),
        ([startedAt, outer]) => {
          const own = Duration.isFinite(budget) ? startedAt + toMillis(budget) : Number.POSITIVE_INFINITY
          const inherited = outer !== undefined && outer.at < own
          const at = inherited ? outer.at : own
          if (at === Number.POSITIVE_INFINITY) return self
          const spec: Spec = {
            current: { at, label, expired: { error: undefined } },
            parent: inherited ? outer : undefined,
            startedAt,
            budget,
            grace
          }
          if (at <= startedAt) return fail(expiredError(spec, startedAt, false))
          return run(self, spec)
        }
      )
    })
)

interface Spec {
  readonly current: Current
  /** The enclosing deadline this one's limit was inherited from, if any. */
  readonly parent: Current | undefined
  readonly startedAt: number
  readonly budget: Duration.Duration
  readonly grace: Duration.Duration
}

/** The error this `within` raises at `now`: its own, or the more specific one a nested `within` left. */
const expiredError = (spec: Spec, now: number, abandoned: boolean): DeadlineExceeded =>
  spec.current.expired.error ?? new DeadlineExceeded({
    label: spec.current.label,
    budget: spec.budget,
    elapsed: Duration.millis(Math.max(0, now - spec.startedAt)),
    inherited: spec.parent !== undefined,
    abandoned
  })

const fail = (error: DeadlineExceeded): Effect.Effect<never, DeadlineExceeded> =>
  Effect.zipRight(Metric.increment(Metric.tagged(exceededTotal, "label", error.label)), Effect.fail(error))

const run = <A, E, R>(self: Effect.Effect<A, E, R>, spec: Spec): Effect.Effect<A, E | DeadlineExceeded, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime<A, E | DeadlineExceeded, R>((caller) => {
      const { current, grace } = spec
      const watch: Watch = { ended: false, wake: Deferred.unsafeMake(caller.id()) }
      const deadline = watch.wake
      const stopAndAccount = (work: Fiber.RuntimeFiber<A, E>) =>
        Effect.tap(stop(work, watch, grace), (stopped) =>
          // A nested `within` that already gave up on the same work has counted and logged it.
          stopped || current.expired.error?.abandoned === true
            ? Effect.void
            : abandon(current.label, spec.budget, grace))
      const expire = (work: Fiber.RuntimeFiber<A, E>): Effect.Effect<A, E | DeadlineExceeded> =>
        Effect.flatMap(stopAndAccount(work), (stopped) =>
          Effect.flatMap(
            // Work that finished on its own while being stopped keeps its result: the deadline lost the race.
            stopped ? Fiber.await(work) : Effect.succeed(undefined),
            (exit): Effect.Effect<A, E | DeadlineExceeded> =>
              exit !== undefined && (Exit.isSuccess(exit) || !Cause.isInterruptedOnly(exit.cause))
                ? exit
                : Effect.flatMap(Clock.currentTimeMillis, (now) => fail(expiredError(spec, now, !stopped)))
          ))
      // The work runs on its own fiber so that, if it cannot be interrupted, the caller can leave without it.
      // It is made interruptible explicitly: inside a finalizer a deadline must still be able to stop it.
      return Effect.flatMap(
        Effect.forkDaemon(
          Effect.interruptible(Effect.locally(self, currentDeadline, current)).pipe(Effect.ensuring(signalEnd(watch)))
        ),
        (work) =>
          Effect.flatMap(alarm(current.at - spec.startedAt, deadline), (timer) =>
            restore(Deferred.await(deadline)).pipe(
              Effect.onInterrupt(() =>
                Effect.zipRight(
                  Fiber.interrupt(timer),
                  Effect.flatMap(stopAndAccount(work), (stopped) =>
                    Effect.flatMap(Clock.currentTimeMillis, (now) =>
                      Effect.sync(() => {
                        // Interrupted by the enclosing deadline this one inherited: leave it the more specific error.
                        if (spec.parent !== undefined && now >= current.at && spec.parent.expired.error === undefined) {
                          spec.parent.expired.error = expiredError(spec, now, !stopped)
                        }
                      })))
                )
              ),
              Effect.zipRight(Effect.suspend(() => {
                if (!watch.ended) return expire(work)
                return Effect.zipRight(
                  Fiber.interrupt(timer),
                  Effect.flatMap(
                    Fiber.await(work),
                    (exit): Effect.Effect<A, E> =>
                      Exit.isSuccess(exit) ? Effect.as(Fiber.inheritAll(work), exit.value) : exit
                  )
                )
              }))
            ))
      )
    })
  )

export const detach = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(self, currentDeadline, undefined)

export const remaining: Effect.Effect<Option.Option<Duration.Duration>> = Effect.flatMap(
  FiberRef.get(currentDeadline),
  (current) =>
    current === undefined
      ? Effect.succeed(Option.none())
      : Effect.map(Clock.currentTimeMillis, (now) => Option.some(Duration.millis(Math.max(0, current.at - now))))
)

export interface TryPromiseOptions<E> {
  readonly budget?: Duration.DurationInput | undefined
  readonly label?: string | undefined
  readonly grace?: Duration.DurationInput | undefined
  readonly catch?: ((error: unknown) => E) | undefined
}

export const tryPromise = <A, E = Cause.UnknownException>(
  evaluate: (signal: AbortSignal) => PromiseLike<A>,
  options?: TryPromiseOptions<E>
): Effect.Effect<A, E | DeadlineExceeded> => {
  const onError = options?.catch
  // The wrapper declares its parameter so Effect always creates, passes and aborts the signal.
  const attempt: Effect.Effect<A, E> = onError === undefined
    ? Effect.tryPromise((signal: AbortSignal) => evaluate(signal)) as Effect.Effect<A, any>
    : Effect.tryPromise({ try: (signal: AbortSignal) => evaluate(signal), catch: onError })
  if (options?.budget === undefined) return attempt
  return within(attempt, options.budget, { label: options.label, grace: options.grace })
}

export interface HttpClientOptions {
  readonly budget?: Duration.DurationInput | undefined
  readonly label?: string | undefined
  readonly grace?: Duration.DurationInput | undefined
}

const boundClient = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  options?: HttpClientOptions
): HttpClient.HttpClient.With<E | DeadlineExceeded, R> =>
  HttpClient.transform(client, (effect, request) =>
    Effect.flatMap(FiberRef.get(currentDeadline), (current) => {
      const label = options?.label ?? `${request.method} ${request.url}`
      if (options?.budget !== undefined) {
        return within(effect, options.budget, { label, grace: options.grace })
      }
      if (current === undefined) return effect
      // An infinite budget of its own puts the request on its own fiber under the inherited deadline, so even a
      // request stuck in uninterruptible code cannot hold the caller past it.
      return within(effect, Duration.infinity, { label, grace: options?.grace })
    }))

const httpClientFn: {
  (
    options?: HttpClientOptions
  ): <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | DeadlineExceeded, R>
  <E, R>(
    client: HttpClient.HttpClient.With<E, R>,
    options?: HttpClientOptions
  ): HttpClient.HttpClient.With<E | DeadlineExceeded, R>
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && HttpClient.TypeId in args[0],
  boundClient
)

const fromContext: Effect.Effect<
  HttpClient.HttpClient.With<HttpClientError.HttpClientError | DeadlineExceeded>,
  never,
  HttpClient.HttpClient
> = Effect.map(HttpClient.HttpClient, (client) => boundClient(client))

/**
 * A function that is also an Effect: called, it wraps the client it is given; yielded, it wraps the
 * `HttpClient` of the context. Both read naturally at the call site (`Deadline.httpClient(client)`,
 * `yield* Deadline.httpClient`).
 */
const callableEffect = <F extends (...args: Array<any>) => unknown, A, E, R>(
  f: F,
  effect: Effect.Effect<A, E, R>
): F & Effect.Effect<A, E, R> => {
  Object.setPrototypeOf(f, Object.getPrototypeOf(effect))
  for (const key of Reflect.ownKeys(effect)) {
    Object.defineProperty(f, key, { value: (effect as any)[key], writable: true, configurable: true, enumerable: true })
  }
  return f as F & Effect.Effect<A, E, R>
}

export const httpClient: typeof httpClientFn & typeof fromContext = callableEffect(
  (...args: Array<any>) => (httpClientFn as any)(...args),
  fromContext
)
