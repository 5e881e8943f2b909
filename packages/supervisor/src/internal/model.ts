/**
 * What every part of the supervisor shares: the supervisor itself with its registry of children, the record
 * each child keeps of its progress, and the error of an escalation.
 *
 * Instants used for comparisons (cadence, staleness, windows) are monotonic milliseconds read from the
 * supervisor's clock; the `Date`s in reports are wall-clock time, for a human to read.
 */
import { Monotonic } from "@lifeline/deadline"
import type * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { pipeArguments } from "effect/Pipeable"
import type * as api from "../Supervisor.ts"
import { type ChildSeries, type SupervisorSeries, supervisorSeries } from "./metrics.ts"

export const TypeId: api.TypeId = Symbol.for("@lifeline/supervisor/Supervisor") as api.TypeId

export class RestartIntensityExceeded extends Data.TaggedError("RestartIntensityExceeded")<
  api.RestartIntensityExceededFields
> implements api.RestartIntensityExceeded {
  override get message(): string {
    return `${this.supervisor}: child ${JSON.stringify(this.child)} needed ${this.restarts} restarts within ${
      Duration.format(this.within)
    }, more than the intensity allows`
  }
}

/** A periodic run, from its start until its job really ends (which, for abandoned work, may be never). */
export interface Run {
  readonly startedAt: number
  ended: boolean
}

export interface Child {
  readonly name: string
  readonly kind: "periodic" | "keep-alive"
  readonly series: ChildSeries
  fiber: Fiber.RuntimeFiber<void, never> | undefined
  /** Keep-alive lifecycle; a periodic child's state is judged from its progress by `health`. */
  phase: "running" | "backing-off" | "failed"
  readonly startedAt: number
  restarts: number
  lastSuccess: { readonly at: number; readonly date: Date } | undefined
  lastFailure: api.Failure | undefined
  consecutiveFailures: number
  missedTicks: number
  abandonedRuns: number
  /**
   * The periodic run in progress. A run abandoned at its deadline stays here until it really ends or the loop
   * starts its next run, whichever comes first: until then it is what the loop is stuck on.
   */
  run: Run | undefined
  /** A run in progress for longer than this makes the child stalled (`timeout + grace`). */
  readonly stallAfterMillis: number
  /** No success for longer than this makes the child stalled (`staleAfter`). */
  readonly staleAfterMillis: number
}

/** `Intensity` decoded: the window in monotonic milliseconds. */
export interface IntensityLimit {
  readonly maxRestarts: number
  readonly withinMillis: number
}

export class SupervisorImpl implements api.Supervisor {
  readonly [TypeId]: api.TypeId = TypeId
  /** Children in the order they were started. */
  readonly children = new Map<string, Child>()
  /** Monotonic instants of the restarts inside the current intensity window, oldest first. */
  readonly restartTimes: Array<number> = []
  status: "open" | "stopping" | "stopped" = "open"
  /** Completed when a stop has finished, so that a second stop waits for the first. */
  readonly halted: Deferred.Deferred<void> = Deferred.unsafeMake(FiberId.none)
  readonly series: SupervisorSeries
  constructor(
    readonly name: string,
    readonly intensity: IntensityLimit | undefined,
    readonly stopTimeoutMillis: number,
    readonly clock: Clock.Clock,
    /** Completed when the supervisor stops: with the escalation's error, or with success on scope close. */
    readonly done: Deferred.Deferred<void, RestartIntensityExceeded>
  ) {
    this.series = supervisorSeries(name)
  }
  /** Milliseconds on the monotonic clock of the supervisor's `Clock`. */
  now(): number {
    return Monotonic.unsafeNow(this.clock)
  }
  /** Wall-clock time, for the `Date`s of a report. */
  date(): Date {
    return new Date(this.clock.unsafeCurrentTimeMillis())
  }
  /** Sleeps on the supervisor's clock, also past the longest delay of a runtime timer. */
  sleep(millis: number): Effect.Effect<void> {
    return Effect.withClock(Monotonic.sleep(Duration.millis(Math.max(0, millis))), this.clock)
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON() {
    return { _id: "Supervisor", name: this.name, status: this.status }
  }
}

export const isSupervisor = (u: unknown): u is api.Supervisor => typeof u === "object" && u !== null && TypeId in u

export const impl = (self: api.Supervisor): SupervisorImpl => self as SupervisorImpl
