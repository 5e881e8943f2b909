/**
 * What a shipper knows about itself: its queue, its counters and the user `send`s still running. Every change
 * of a counter goes through one of the methods below, so `accepted = shipped + dropped + inFlight + queued`
 * holds at every step.
 */
import { Metrics } from "@lifeline/deadline"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import { pipeArguments } from "effect/Pipeable"
import type * as api from "../../Shipper.ts"
import type { DroppingQueueImpl } from "../droppingQueue.ts"

export const TypeId: api.TypeId = Symbol.for("@lifeline/queue/Shipper") as api.TypeId

/** Log annotation carried by every line logged on a shipper's fibers, so a logger feeding it can skip them. */
export const selfAnnotation = "lifeline.shipper"

export const shippedTotal = Metrics.counter(
  "lifeline_shipper_shipped_total",
  "Items a shipper delivered to its sink, tagged with the shipper's name"
)

export const droppedTotal = Metrics.counter(
  "lifeline_shipper_dropped_total",
  "Accepted items a shipper could not deliver, tagged with the shipper's name and the reason"
)

export const sendFailuresTotal = Metrics.counter(
  "lifeline_shipper_send_failures_total",
  "Batches whose send failed or timed out after all retries, tagged with the shipper's name"
)

export const batchSize = Metric.histogram(
  "lifeline_shipper_batch_size",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 14 }),
  "Items per batch handed to send, tagged with the shipper's name"
)

/** A user `send` in progress; `abandoned` once a deadline gave up waiting for it. */
interface RunningSend {
  abandoned: boolean
}

export class ShipperImpl<A> implements api.Shipper<A> {
  readonly [TypeId]: api.TypeId = TypeId
  readonly name: string
  readonly queue: DroppingQueueImpl<A>

  private shipped = 0
  private dropped = 0
  private droppedAtShutdown = 0
  private inFlight = 0
  private abandoned = 0
  private closed = false
  /** Instant (monotonic ms) by which the final flush must be over; `undefined` while open. */
  private flushDeadline: number | undefined = undefined
  /** The queue's overflow count when the last batch was collected. */
  private overflowsSeen = 0

  private readonly running = new Set<RunningSend>()
  private idleWaiters: Array<() => void> = []

  private readonly shippedSeries: Metrics.Bound<number>
  private readonly droppedFailedSeries: Metrics.Bound<number>
  private readonly droppedShutdownSeries: Metrics.Bound<number>
  private readonly failuresSeries: Metrics.Bound<number>
  private readonly batchSizeSeries: Metrics.Bound<number>

  constructor(name: string, queue: DroppingQueueImpl<A>) {
    this.name = name
    this.queue = queue
    this.shippedSeries = Metrics.bind(shippedTotal, { shipper: name })
    this.droppedFailedSeries = Metrics.bind(droppedTotal, { shipper: name, reason: "send-failed" })
    this.droppedShutdownSeries = Metrics.bind(droppedTotal, { shipper: name, reason: "shutdown" })
    this.failuresSeries = Metrics.bind(sendFailuresTotal, { shipper: name })
    this.batchSizeSeries = Metrics.bind(batchSize, { shipper: name })
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  unsafeSubmit(item: A): boolean {
    return this.queue.unsafeOffer(item)
  }

  /**
   * Submits `build(input)`, building it only when the queue could take an item: a full queue refuses without
   * paying for it. A throw of `build` or of `weigh` counts the submission as rejected (and in the queue's
   * `lifeline_queue_dropped_total`), then propagates.
   */
  unsafeSubmitWith<I>(build: (input: I) => A, input: I): boolean {
    if (this.queue.unsafeRefuseIfFull()) return false
    try {
      return this.queue.unsafeOffer(build(input))
    } catch (error) {
      this.queue.unsafeDiscard()
      throw error
    }
  }

  unsafeStats(): api.Stats {
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

  // --- lifecycle ---------------------------------------------------------------------------------------------

  get isClosing(): boolean {
    return this.flushDeadline !== undefined
  }

  /** Stops intake; the flush must be over at `deadline` (monotonic ms). */
  startClosing(deadline: number): void {
    this.flushDeadline = deadline
    this.closed = true
    this.queue.unsafeClose()
  }

  /** The budget of a send starting at `now`: `sendTimeout`, cut to what is left of the flush while closing. */
  sendBudget(now: number, sendTimeoutMs: number): number {
    return this.flushDeadline === undefined ? sendTimeoutMs : Math.min(sendTimeoutMs, this.flushDeadline - now)
  }

  /** Whether the queue was full and dropped an item since the last batch was collected; marks it as seen. */
  overflowedSinceLastBatch(): boolean {
    const overflows = this.queue.overflowCount
    const overflowed = overflows > this.overflowsSeen
    this.overflowsSeen = overflows
    return overflowed
  }

  // --- accounting --------------------------------------------------------------------------------------------

  /** Items taken from the queue into the batch being assembled. */
  taken(n: number): void {
    this.inFlight += n
  }

  /** A batch of `n` items handed to `send`. */
  sending(n: number): void {
    this.batchSizeSeries.unsafeUpdate(n)
  }

  delivered(n: number): void {
    this.inFlight -= n
    this.shipped += n
    this.shippedSeries.unsafeUpdate(n)
  }

  /** A batch given up on: `send` failed, died or timed out, or the flush budget ran out. */
  undelivered(n: number, atShutdown: boolean): void {
    this.inFlight -= n
    this.drop(n, atShutdown)
  }

  sendFailed(): void {
    this.failuresSeries.unsafeUpdate(1)
  }

  /** Drops what is still queued or in flight once the flush is over. */
  dropRemaining(): void {
    const queued = this.queue.takeUpTo(Number.POSITIVE_INFINITY).length
    const inFlight = this.inFlight
    this.inFlight = 0
    if (queued + inFlight > 0) this.drop(queued + inFlight, true)
  }

  private drop(n: number, atShutdown: boolean): void {
    this.dropped += n
    if (atShutdown) {
      this.droppedAtShutdown += n
      this.droppedShutdownSeries.unsafeUpdate(n)
    } else {
      this.droppedFailedSeries.unsafeUpdate(n)
    }
  }

  // --- sends still running -----------------------------------------------------------------------------------

  /**
   * Runs a user `send` while registered as running, however it ends: registration and removal happen in one
   * uninterruptible region around the (interruptible) send, so a `send` that throws before building its effect,
   * or an interruption at any point, cannot leave a phantom behind.
   */
  tracked<X, E, R>(send: Effect.Effect<X, E, R>): Effect.Effect<X, E, R> {
    return Effect.uninterruptibleMask((restore) => {
      const token = this.sendStarted()
      return Effect.matchCauseEffect(restore(send), {
        onSuccess: (value) => {
          this.sendEnded(token)
          return Effect.succeed(value)
        },
        onFailure: (cause) => {
          this.sendEnded(token)
          return Effect.failCause(cause)
        }
      })
    })
  }

  get hasRunningSend(): boolean {
    return this.running.size > 0
  }

  private sendStarted(): RunningSend {
    const token: RunningSend = { abandoned: false }
    this.running.add(token)
    return token
  }

  private sendEnded(token: RunningSend): void {
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
