import { Deadline } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import { pipeArguments } from "effect/Pipeable"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as api from "../Shipper.ts"
import * as DQ from "./droppingQueue.ts"
import * as metrics from "./metrics.ts"
import * as options from "./options.ts"

export const TypeId: typeof api.TypeId = Symbol.for(
  "@lifeline/queue/Shipper"
) as typeof api.TypeId
export type TypeId = typeof TypeId

/** Log annotation carried by the shipper's own log lines, so a logger feeding the shipper can skip them. */
export const selfAnnotation = "lifeline.shipper"

export type Options<A, E, R> = api.Options<A, E, R>
export type Stats = api.Stats
export type Shipper<A> = api.Shipper<A>

const shippedKey = metrics.counterKey(
  "lifeline_shipper_shipped_total",
  "Items a shipper delivered to its sink, tagged with the shipper's name"
)
const droppedKey = metrics.counterKey(
  "lifeline_shipper_dropped_total",
  "Accepted items a shipper could not deliver, tagged with the shipper's name and the reason"
)
const sendFailuresKey = metrics.counterKey(
  "lifeline_shipper_send_failures_total",
  "Batches whose send failed or timed out after all retries, tagged with the shipper's name"
)

export const shippedTotal = Metric.fromMetricKey(shippedKey)
export const droppedTotal = Metric.fromMetricKey(droppedKey)
export const sendFailuresTotal = Metric.fromMetricKey(sendFailuresKey)

const batchSizeKey = MetricKey.histogram(
  "lifeline_shipper_batch_size",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 14 }),
  "Items per batch handed to send, tagged with the shipper's name"
)

export const batchSize = Metric.fromMetricKey(batchSizeKey)

interface Resolved {
  readonly sendTimeoutMs: number
  readonly lingerMs: number
  readonly flushTimeoutMs: number
  readonly grace: Duration.Duration | undefined
  readonly maxBatch: number
  readonly name: string
}

const resolve = <A, E, R>(opts: Options<A, E, R>): Resolved => {
  if (typeof opts.send !== "function") {
    throw options.invalid("send", opts.send, "must be a function")
  }
  const name = options.nonEmptyString("name", opts.name)
  const maxBatch = options.positiveInteger("maxBatch", opts.maxBatch)
  const lingerMs = options.finiteMillis(
    "linger",
    options.nonNegativeDuration("linger", opts.linger)
  )
  const sendTimeoutMs = options.finiteMillis(
    "sendTimeout",
    options.positiveDuration("sendTimeout", opts.sendTimeout)
  )
  const flushTimeoutMs = options.finiteMillis(
    "flushTimeout",
    options.positiveDuration("flushTimeout", opts.flushTimeout)
  )
  const grace = opts.grace === undefined ? undefined : options.nonNegativeDuration("grace", opts.grace)
  if (opts.retry !== undefined && !Schedule.isSchedule(opts.retry)) {
    throw options.invalid("retry", opts.retry, "must be a Schedule")
  }
  return { name, maxBatch, lingerMs, sendTimeoutMs, flushTimeoutMs, grace }
}

class ShipperImpl<A> implements api.Shipper<A> {
  readonly [TypeId]: TypeId = TypeId
  readonly name: string
  readonly queue: DQ.DroppingQueueImpl<A>
  shipped = 0
  dropped = 0
  droppedAtShutdown = 0
  inFlight = 0
  abandoned = 0
  closed = false
  /** Absolute time (Clock millis) by which the flush must be over, once closing. */
  flushDeadline: number | undefined = undefined
  /** User `send` attempts still running, including ones a deadline gave up on (marked `abandoned`). */
  running = new Set<{ abandoned: boolean }>()
  idleWaiters: Array<() => void> = []

  constructor(name: string, queue: DQ.DroppingQueueImpl<A>) {
    this.name = name
    this.queue = queue
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  unsafeSubmit(item: A): boolean {
    return this.queue.unsafeOffer(item)
  }

  /** Submits an item built only if the queue could take it: a full queue refuses without paying for it. */
  unsafeSubmitLazy(make: () => A): boolean {
    if (this.queue.refusesNext()) return this.queue.unsafeRefuse()
    return this.queue.unsafeOffer(make())
  }

  unsafeStats(): Stats {
    const q = this.queue.unsafeStats()
    return {
      accepted: q.accepted,
      rejected: q.dropped,
      shipped: this.shipped,
      dropped: this.dropped,
      droppedAtShutdown: this.droppedAtShutdown,
      inFlight: this.inFlight,
      queued: q.size,
      abandoned: this.abandoned,
      closed: this.closed
    }
  }

  sendStarted(): { abandoned: boolean } {
    const token = { abandoned: false }
    this.running.add(token)
    return token
  }

  sendEnded(token: { abandoned: boolean }): void {
    this.running.delete(token)
    if (this.running.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const wake of waiters) wake()
    }
  }

  /** Counts the sends still running as abandoned: the shipper no longer waits for them. */
  markAbandoned(): void {
    for (const token of this.running) {
      if (!token.abandoned) {
        token.abandoned = true
        this.abandoned++
      }
    }
  }

  /** Completes when no earlier `send` is still running (one abandoned by its deadline, say). */
  readonly awaitIdle: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.running.size === 0) {
      resume(Effect.void)
      return
    }
    const wake = () => resume(Effect.void)
    this.idleWaiters.push(wake)
    return Effect.sync(() => {
      const i = this.idleWaiters.indexOf(wake)
      if (i >= 0) this.idleWaiters.splice(i, 1)
    })
  })
}

export const impl = <A>(s: Shipper<A>): ShipperImpl<A> => s as unknown as ShipperImpl<A>

const annotate = <X, E2, R2>(self: Effect.Effect<X, E2, R2>, name: string) =>
  Effect.annotateLogs(self, { shipper: name, [selfAnnotation]: name })

export const make = <A, E, R>(
  opts: Options<A, E, R>
): Effect.Effect<Shipper<A>, options.InvalidOptions, Scope.Scope | R> =>
  Effect.gen(function* () {
    const config = yield* options.attempt(() => resolve(opts))
    const queue = yield* options.attempt(() =>
      new DQ.DroppingQueueImpl<A>({
        capacity: opts.capacity,
        maxBytes: opts.maxBytes,
        weigh: opts.weigh,
        strategy: opts.strategy,
        name: config.name
      })
    )
    const shipper = new ShipperImpl<A>(config.name, queue)
    const { maxBatch, lingerMs, sendTimeoutMs, flushTimeoutMs, name } = config
    const shippedMetric = metrics.boundCounter(shippedKey, { shipper: name })
    const batchSizeMetric = metrics.bound(batchSizeKey, { shipper: name })
    const droppedFailed = metrics.boundCounter(droppedKey, {
      shipper: name,
      reason: "send-failed"
    })
    const droppedShutdown = metrics.boundCounter(droppedKey, {
      shipper: name,
      reason: "shutdown"
    })
    const failures = metrics.boundCounter(sendFailuresKey, { shipper: name })
    const withinOptions = { label: `${name}.send`, grace: config.grace }
    const warningEveryMs = 1000
    let lastWarningAt: number | undefined
    let suppressedWarnings = 0

    const attempt = (batch: ReadonlyArray<A>): Effect.Effect<unknown, E, R> =>
      Effect.suspend(() => {
        const token = shipper.sendStarted()
        return Effect.ensuring(
          opts.send(batch),
          Effect.sync(() => shipper.sendEnded(token))
        )
      })
    const sendWithRetry = (
      batch: ReadonlyArray<A>
    ): Effect.Effect<unknown, E, R> =>
      opts.retry === undefined ? attempt(batch) : Effect.retry(attempt(batch), opts.retry)
    // While an earlier send is still running (abandoned after its grace), a new one would only pile up more
    // retained batches behind a wedged sink: wait for it within the same budget instead.
    const guarded = (batch: ReadonlyArray<A>): Effect.Effect<unknown, E, R> =>
      Effect.suspend(() =>
        shipper.running.size === 0 ? sendWithRetry(batch) : Effect.zipRight(shipper.awaitIdle, sendWithRetry(batch))
      )

    const dropBatch = (n: number, atShutdown: boolean) => {
      shipper.dropped += n
      if (atShutdown) {
        shipper.droppedAtShutdown += n
        droppedShutdown.unsafeUpdate(n, [])
      } else {
        droppedFailed.unsafeUpdate(n, [])
      }
    }

    const ship = (batch: ReadonlyArray<A>): Effect.Effect<void, never, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const n = batch.length
          const now = yield* Clock.currentTimeMillis
          const budgetMs = shipper.flushDeadline === undefined
            ? sendTimeoutMs
            : Math.min(sendTimeoutMs, shipper.flushDeadline - now)
          if (budgetMs <= 0) {
            shipper.inFlight -= n
            dropBatch(n, true)
            return
          }
          batchSizeMetric.unsafeUpdate(n, [])
          const exit = yield* Effect.exit(
            restore(
              Deadline.within(
                guarded(batch),
                Duration.millis(budgetMs),
                withinOptions
              )
            )
          )
          shipper.inFlight -= n
          if (Exit.isSuccess(exit)) {
            shipper.shipped += n
            shippedMetric.unsafeUpdate(n, [])
            return
          }
          const closing = shipper.flushDeadline !== undefined
          dropBatch(n, closing)
          const cause = exit.cause
          if (Cause.isInterruptedOnly(cause) && closing) return
          failures.unsafeUpdate(1, [])
          const error = Cause.failureOption(cause)
          if (
            error._tag === "Some" &&
            error.value instanceof Deadline.DeadlineExceeded &&
            error.value.abandoned
          ) {
            shipper.markAbandoned()
          }
          // A sink that fails fast (connection refused) would otherwise produce a warning per batch.
          const at = yield* Clock.currentTimeMillis
          if (lastWarningAt !== undefined && at - lastWarningAt < warningEveryMs) {
            suppressedWarnings++
            return
          }
          lastWarningAt = at
          const suppressed = suppressedWarnings
          suppressedWarnings = 0
          yield* annotate(
            Effect.logWarning("shipper: batch dropped after send failed", Cause.squash(cause)).pipe(
              Effect.annotateLogs({ items: n, dropped: shipper.dropped, suppressed })
            ),
            name
          )
        })
      )

    const collect: Effect.Effect<ReadonlyArray<A>> = Effect.gen(function* () {
      const first = yield* queue.takeBatch(maxBatch)
      shipper.inFlight += first.length
      if (
        first.length === 0 || first.length >= maxBatch ||
        shipper.flushDeadline !== undefined || lingerMs === 0
      ) {
        return first
      }
      // Linger for a fuller batch, but ship as soon as one is full (or the shipper starts closing).
      yield* Effect.timeoutOption(
        queue.awaitSize(maxBatch - first.length),
        Duration.millis(lingerMs)
      )
      const more = queue.unsafeTakeUpTo(maxBatch - first.length)
      shipper.inFlight += more.length
      return more.length === 0 ? first : first.concat(more)
    })

    const loop: Effect.Effect<void, never, R> = Effect.gen(function* () {
      while (true) {
        const batch = yield* collect
        if (batch.length === 0) return
        yield* ship(batch)
      }
    })

    const fiber = yield* Effect.forkDaemon(Effect.interruptible(options.withoutInheritedDeadline(loop)))

    const close = Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      shipper.flushDeadline = startedAt + flushTimeoutMs
      shipper.closed = true
      queue.unsafeClose()
      // The loop drains the queue on its own; past the flush budget it is cut, whatever it is doing.
      yield* Fiber.await(fiber).pipe(
        Deadline.within(Duration.millis(flushTimeoutMs), {
          label: `${name}.flush`,
          grace: Duration.zero
        }),
        Effect.ignore
      )
      yield* Fiber.interrupt(fiber)
      shipper.markAbandoned()
      const left = queue.unsafeTakeUpTo(Number.POSITIVE_INFINITY).length +
        shipper.inFlight
      shipper.inFlight = 0
      if (left > 0) dropBatch(left, true)
      const endedAt = yield* Clock.currentTimeMillis
      const s = shipper.unsafeStats()
      const log = s.dropped > 0 || s.rejected > 0 ? Effect.logWarning : Effect.logInfo
      yield* annotate(
        log("shipper closed").pipe(
          Effect.annotateLogs({
            shipped: s.shipped,
            dropped: s.dropped,
            droppedAtShutdown: s.droppedAtShutdown,
            rejected: s.rejected,
            abandoned: s.abandoned,
            flushMs: endedAt - startedAt
          })
        ),
        name
      )
    })
    yield* Effect.addFinalizer(() => options.withoutInheritedDeadline(close))
    return shipper
  })

export const submit = dual<
  <A>(item: A) => (self: Shipper<A>) => Effect.Effect<boolean>,
  <A>(self: Shipper<A>, item: A) => Effect.Effect<boolean>
>(2, (self, item) => Effect.sync(() => self.unsafeSubmit(item)))

export const stats = <A>(self: Shipper<A>): Effect.Effect<Stats> => Effect.sync(() => self.unsafeStats())

export const isShipper = (u: unknown): u is Shipper<unknown> => typeof u === "object" && u !== null && TypeId in u
