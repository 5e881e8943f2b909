import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import type * as api from "../Deadline.ts"
import type * as metricsApi from "../Metrics.ts"
import * as metrics from "./metrics.ts"
import { schedule, unsafeNow } from "./monotonic.ts"
import * as options from "./options.ts"

export class DeadlineExceeded extends Data.TaggedError("DeadlineExceeded")<api.DeadlineExceededFields>
  implements api.DeadlineExceeded {
  override get message(): string {
    const limit = Duration.isFinite(this.budget) ? `deadline of ${Duration.format(this.budget)}` : "deadline"
    const origin = this.inherited ? " (limit inherited from an enclosing deadline)" : ""
    const abandoned = this.abandoned ? "; the work could not be interrupted in time and was left running" : ""
    return `${this.label}: ${limit} exceeded after ${Duration.format(this.elapsed)}${origin}${abandoned}`
  }
}

/**
 * The innermost deadline of the running fiber, as an instant on the monotonic time line in milliseconds.
 *
 * `expired` is where a nested `within` whose limit was inherited from this one leaves the error it would
 * have raised when this deadline interrupts it: both fire at the same instant, and the caller should see the
 * innermost, most specific error (`inherited: true`) whichever of the two timers ran first.
 */
interface Current {
  readonly at: number
  readonly label: string
  readonly expired: { error: DeadlineExceeded | undefined }
  /** The `within` whose fiber and timer enforce `at`: this deadline's own, or the one it runs inline in. */
  readonly owner: Owner
}

/**
 * A `within` that runs its work on a fiber of its own, under its own timer. A nested `within` that only
 * inherits this deadline and runs on that same fiber, interruptibly, needs neither: it runs inline, and the
 * owner raises the innermost inline `within`'s error (its label, budget and elapsed time) when it fires.
 */
interface Owner {
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
  /** The inline `within`s running now, innermost last. */
  readonly inline: Array<Frame>
}

/** What an inline `within` contributes to the error of the deadline it runs in. */
interface Frame {
  readonly label: string
  readonly budget: Duration.Duration
  readonly startedAt: number
  readonly grace: Duration.Duration
}

/**
 * A child fiber's deadline never flows back into its parent when joined: `within` sets it on the fiber that
 * runs the work, and the caller keeps its own.
 */
export const currentDeadline: FiberRef.FiberRef<Current | undefined> = globalValue(
  Symbol.for("@lifeline/deadline/currentDeadline"),
  () => FiberRef.unsafeMake<Current | undefined>(undefined, { join: (parent) => parent })
)

export const abandonedTotal = metrics.counter(
  "lifeline_deadline_abandoned_total",
  "Work still running after its deadline and grace period, left running detached"
)

export const exceededTotal = metrics.counter(
  "lifeline_deadline_exceeded_total",
  "Deadlines that expired before their work finished"
)

/** Series per label, bound once: labels come from the caller's code, so this map is as bounded as they are. */
const seriesByLabel = new Map<
  string,
  { readonly exceeded: metricsApi.Bound<number>; readonly abandoned: metricsApi.Bound<number> }
>()
const series = (label: string) => {
  let found = seriesByLabel.get(label)
  if (found === undefined) {
    found = {
      exceeded: metrics.bind(exceededTotal, { label }),
      abandoned: metrics.bind(abandonedTotal, { label })
    }
    seriesByLabel.set(label, found)
  }
  return found
}

const defaultGrace = Duration.seconds(1)
const defaultLabel = "deadline"

const decodeBudget = (budget: Duration.DurationInput): Duration.Duration => {
  const decoded = options.decodeDuration(budget)
  if (decoded === undefined) throw options.invalid("budget", budget, "must be a duration")
  return decoded
}

const decodeGrace = options.optional(options.nonNegativeDuration, defaultGrace)

/**
 * What the caller waits on while the work runs on its own fiber: woken by the work's end (`ended` is set by
 * the work's fiber alone) or by the alarm of the current phase (the deadline, then the grace period).
 * A plain callback rather than a `Deferred`: one is made per call, and a timer or fiber observer wakes it
 * whatever the caller's interruptibility (a finalizer cannot be interrupted out of a wait).
 */
class Watch {
  ended = false
  private woken = false
  private resume: ((effect: Effect.Effect<void>) => void) | undefined = undefined

  readonly wake = (): void => {
    const resume = this.resume
    if (resume === undefined) {
      this.woken = true
      return
    }
    this.resume = undefined
    resume(Effect.void)
  }

  /** Starts a phase: only a wake from now on counts. */
  rearm(): void {
    this.woken = false
  }

  readonly wait: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.woken) {
      this.woken = false
      resume(Effect.void)
      return
    }
    this.resume = resume
    return Effect.sync(() => {
      this.resume = undefined
    })
  })
}

/** Wakes `watch` when `work` ends: the last thing the work's fiber does, with no effect wrapped around it. */
const observe = <A, E>(work: Fiber.RuntimeFiber<A, E>, watch: Watch): void => {
  const onEnd = () => {
    watch.ended = true
    watch.wake()
  }
  if (work.unsafePoll() !== null) onEnd()
  else work.addObserver(onEnd)
}

/**
 * Interrupts `work` without waiting for it, then waits for it at most `grace`. Returns whether it ended.
 * The grace timer is cancelled before returning, so none outlives the call.
 */
const stop = <A, E>(
  clock: Clock.Clock,
  work: Fiber.RuntimeFiber<A, E>,
  watch: Watch,
  grace: Duration.Duration
): Effect.Effect<boolean> =>
  Effect.zipRight(
    // A signal, not `Fiber.interruptFork`: that forks a fiber which would wait forever on uninterruptible work.
    Effect.flatMap(Effect.fiberId, (id) => Fiber.interruptAsFork(work, id)),
    Effect.suspend(() => {
      if (watch.ended) return Effect.succeed(true)
      watch.rearm()
      return Effect.flatMap(schedule(clock, Duration.toMillis(grace), watch.wake), (cancel) =>
        Effect.zipRight(
          watch.wait,
          Effect.suspend(() => Effect.as(cancel, watch.ended))
        ))
    })
  )

const abandon = (label: string, budget: Duration.Duration, grace: Duration.Duration) =>
  Effect.zipRight(
    series(label).abandoned.update(1),
    Effect.logWarning("deadline: work could not be interrupted within its grace period; left running").pipe(
      Effect.annotateLogs({ label, budget: Duration.format(budget), grace: Duration.format(grace) })
    )
  )

interface Spec extends Frame {
  readonly current: Current
  /** The enclosing deadline this one's limit was inherited from, if any. */
  readonly parent: Current | undefined
  readonly clock: Clock.Clock
}

/** The innermost `within` this deadline enforces now: the last inline one still running, or its own. */
const innermost = (spec: Spec): Frame => spec.current.owner.inline.at(-1) ?? spec

/**
 * The error this `within` raises at `now`: the more specific one a nested `within` on another fiber left, else
 * that of the innermost `within` it enforces (an inline one inherits its limit; so does this one, if it has a
 * parent).
 */
const expiredError = (spec: Spec, frame: Frame, now: number, abandoned: boolean): DeadlineExceeded => {
  if (spec.current.expired.error !== undefined) return spec.current.expired.error
  return new DeadlineExceeded({
    label: frame.label,
    budget: frame.budget,
    elapsed: Duration.millis(Math.max(0, now - frame.startedAt)),
    inherited: frame !== spec || spec.parent !== undefined,
    abandoned
  })
}

const fail = (error: DeadlineExceeded): Effect.Effect<never, DeadlineExceeded> =>
  Effect.zipRight(series(error.label).exceeded.update(1), Effect.fail(error))

const withinImpl = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  budgetInput: Duration.DurationInput,
  withinOptions?: api.WithinOptions
): Effect.Effect<A, E | DeadlineExceeded, R> =>
  Effect.suspend(() => {
    let budget: Duration.Duration
    let grace: Duration.Duration
    try {
      budget = decodeBudget(budgetInput)
      grace = options.getOrThrow(decodeGrace("grace", withinOptions?.grace))
    } catch (error) {
      return Effect.die(error)
    }
    const label = withinOptions?.label ?? defaultLabel
    return Effect.clockWith((clock) =>
      Effect.checkInterruptible((interruptible) =>
        Effect.withFiberRuntime<A, E | DeadlineExceeded, R>((fiber) => {
          const outer = fiber.getFiberRef(currentDeadline)
          const startedAt = unsafeNow(clock)
          const own = Duration.isFinite(budget) ? startedAt + Duration.toMillis(budget) : Number.POSITIVE_INFINITY
          const inherited = outer !== undefined && outer.at <= own
          const at = inherited ? outer.at : own
          if (at === Number.POSITIVE_INFINITY) return self
          if (inherited && interruptible && outer.owner.fiber === fiber) {
            if (at <= startedAt) return fail(inlineError({ label, budget, startedAt, grace }, startedAt))
            return inline(self, outer, { label, budget, startedAt, grace })
          }
          const spec: Spec = {
            current: { at, label, expired: { error: undefined }, owner: { fiber: undefined, inline: [] } },
            parent: inherited ? outer : undefined,
            clock,
            label,
            startedAt,
            budget,
            grace
          }
          if (at <= startedAt) return fail(expiredError(spec, spec, startedAt, false))
          return run(self, spec)
        })
      )
    )
  })

/** The error of an inline `within` whose inherited deadline had already passed when it started. */
const inlineError = (frame: Frame, now: number): DeadlineExceeded =>
  new DeadlineExceeded({
    label: frame.label,
    budget: frame.budget,
    elapsed: Duration.millis(Math.max(0, now - frame.startedAt)),
    inherited: true,
    abandoned: false
  })

/**
 * Runs `self` on the caller's fiber, which the owner of `outer` interrupts at the deadline; while it runs, the
 * owner's error is this `within`'s (see {@link Owner}).
 */
const inline = <A, E, R>(self: Effect.Effect<A, E, R>, outer: Current, frame: Frame): Effect.Effect<A, E, R> => {
  const stack = outer.owner.inline
  const current: Current = { at: outer.at, label: frame.label, expired: outer.expired, owner: outer.owner }
  return Effect.locally(
    Effect.ensuring(
      Effect.zipRight(
        Effect.sync(() => stack.push(frame)),
        self
      ),
      Effect.sync(() => {
        const i = stack.lastIndexOf(frame)
        if (i >= 0) stack.splice(i, 1)
      })
    ),
    currentDeadline,
    current
  )
}

export const within: {
  (
    budget: Duration.DurationInput,
    options?: api.WithinOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | DeadlineExceeded, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    budget: Duration.DurationInput,
    options?: api.WithinOptions
  ): Effect.Effect<A, E | DeadlineExceeded, R>
} = dual((args) => Effect.isEffect(args[0]), withinImpl)

const run = <A, E, R>(self: Effect.Effect<A, E, R>, spec: Spec): Effect.Effect<A, E | DeadlineExceeded, R> =>
  Effect.uninterruptibleMask((restore) => {
    const { clock, current } = spec
    const watch = new Watch()
    // The innermost `within` at the moment the deadline fires governs: its grace, and its label on the error and
    // on abandoned work. (Taken before the work is interrupted: interruption unwinds the inline ones.)
    const stopAndAccount = (work: Fiber.RuntimeFiber<A, E>, frame: Frame) =>
      Effect.tap(stop(clock, work, watch, frame.grace), (stopped) =>
        // A nested `within` that already gave up on the same work has counted and logged it.
        stopped || current.expired.error?.abandoned === true
          ? Effect.void
          : abandon(frame.label, frame.budget, frame.grace))
    const expire = (work: Fiber.RuntimeFiber<A, E>, frame: Frame): Effect.Effect<A, E | DeadlineExceeded> =>
      Effect.flatMap(stopAndAccount(work, frame), (stopped) =>
        Effect.flatMap(
          // Work that finished on its own while being stopped keeps its result: the deadline lost the race.
          stopped ? Fiber.await(work) : Effect.succeed(undefined),
          (exit): Effect.Effect<A, E | DeadlineExceeded> =>
            exit !== undefined && (Exit.isSuccess(exit) || !Cause.isInterruptedOnly(exit.cause))
              ? exit
              : Effect.suspend(() => fail(expiredError(spec, frame, unsafeNow(clock), !stopped)))
        ))
    // The work runs on its own fiber so that, if it cannot be interrupted, the caller can leave without it.
    // It is made interruptible explicitly: inside a finalizer a deadline must still be able to stop it.
    return Effect.flatMap(
      Effect.forkDaemon(Effect.interruptible(Effect.zipRight(FiberRef.set(currentDeadline, current), self))),
      (work) => {
        current.owner.fiber = work
        observe(work, watch)
        return Effect.flatMap(
          schedule(clock, current.at - unsafeNow(clock), watch.wake),
          (cancelAlarm) =>
            restore(watch.wait).pipe(
              Effect.onInterrupt(() =>
                Effect.suspend(() => {
                  const frame = innermost(spec)
                  return Effect.zipRight(
                    cancelAlarm,
                    Effect.flatMap(stopAndAccount(work, frame), (stopped) =>
                      Effect.sync(() => {
                        const now = unsafeNow(clock)
                        // Interrupted by the enclosing deadline this one inherited: leave it the more specific error.
                        if (
                          spec.parent !== undefined && now >= current.at && spec.parent.expired.error === undefined
                        ) {
                          spec.parent.expired.error = expiredError(spec, frame, now, !stopped)
                        }
                      }))
                  )
                })
              ),
              Effect.zipRight(Effect.suspend(() => {
                if (!watch.ended) return expire(work, innermost(spec))
                return Effect.zipRight(
                  cancelAlarm,
                  Effect.flatMap(
                    Fiber.await(work),
                    (exit): Effect.Effect<A, E> =>
                      Exit.isSuccess(exit) ? Effect.as(Fiber.inheritAll(work), exit.value) : exit
                  )
                )
              }))
            )
        )
      }
    )
  })

export const detach = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(self, currentDeadline, undefined)

export const remaining: Effect.Effect<Option.Option<Duration.Duration>> = Effect.flatMap(
  FiberRef.get(currentDeadline),
  (current) =>
    current === undefined
      ? Effect.succeed(Option.none())
      : Effect.clockWith((clock) =>
        Effect.sync(() => Option.some(Duration.millis(Math.max(0, current.at - unsafeNow(clock)))))
      )
)

/**
 * Bounds `effect` by `budget` when given, else by the inherited deadline alone (an infinite budget of its
 * own): either way it runs under `within`, on a fiber of its own that the deadline can interrupt even where
 * the caller cannot be interrupted (a finalizer), with the caller's label and grace.
 */
const bounded = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  budget: Duration.DurationInput | undefined,
  label: string | undefined,
  grace: Duration.DurationInput | undefined
): Effect.Effect<A, E | DeadlineExceeded, R> => withinImpl(effect, budget ?? Duration.infinity, { label, grace })

export const tryPromise = <A, E = Cause.UnknownException>(
  evaluate: (signal: AbortSignal) => PromiseLike<A>,
  tryOptions?: api.TryPromiseOptions<E>
): Effect.Effect<A, E | DeadlineExceeded> => {
  const onError = tryOptions?.catch
  // The wrapper declares its parameter so Effect always creates, passes and aborts the signal.
  const attempt: Effect.Effect<A, E | Cause.UnknownException> = onError === undefined
    ? Effect.tryPromise((signal: AbortSignal) => evaluate(signal))
    : Effect.tryPromise({ try: (signal: AbortSignal) => evaluate(signal), catch: onError })
  // Without `catch` the error type is `UnknownException`, which is also `E`'s default.
  return bounded(attempt as Effect.Effect<A, E>, tryOptions?.budget, tryOptions?.label, tryOptions?.grace)
}

const boundClient = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  clientOptions?: api.HttpClientOptions
): HttpClient.HttpClient.With<E | DeadlineExceeded, R> =>
  HttpClient.transform(
    client,
    (effect, request) =>
      bounded(effect, clientOptions?.budget, clientOptions?.label ?? `http ${request.method}`, clientOptions?.grace)
  )

const isClient = (u: unknown): boolean => typeof u === "object" && u !== null && HttpClient.TypeId in u

const httpClientFn: {
  (
    options?: api.HttpClientOptions
  ): <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | DeadlineExceeded, R>
  <E, R>(
    client: HttpClient.HttpClient.With<E, R>,
    options?: api.HttpClientOptions
  ): HttpClient.HttpClient.With<E | DeadlineExceeded, R>
} = dual((args) => isClient(args[0]), boundClient)

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
    const descriptor = Reflect.getOwnPropertyDescriptor(effect, key)
    if (descriptor !== undefined) Object.defineProperty(f, key, { ...descriptor, configurable: true })
  }
  return f as F & Effect.Effect<A, E, R>
}

export const httpClient: typeof httpClientFn & typeof fromContext = callableEffect(
  function httpClient(...args: Parameters<typeof boundClient>) {
    return httpClientFn(...args)
  } as typeof httpClientFn,
  fromContext
)
