import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import type * as api from "../Main.ts"

/** Whether the shutdown of a run has started. Mutable and shared by reference, so a flip is seen everywhere. */
export interface ShutdownState {
  started: boolean
}

/**
 * The state of the process's own run. Fibers outside any `Main.run` (another runtime serving probes, say)
 * read it too; there is one process, so there is one of it, even if two copies of this module are loaded.
 */
export const processState: ShutdownState = globalValue(
  Symbol.for("@lifeline/exit/processState"),
  (): ShutdownState => ({ started: false })
)

/** The shutdown state a fiber answers to; a run in a test gives its program a state of its own. */
export const currentShutdown: FiberRef.FiberRef<ShutdownState> = globalValue(
  Symbol.for("@lifeline/exit/currentShutdown"),
  () => FiberRef.unsafeMake<ShutdownState>(processState)
)

export const shuttingDown: Effect.Effect<boolean> = Effect.map(FiberRef.get(currentShutdown), (state) => state.started)

/** What started the shutdown. */
export type Trigger =
  | { readonly _tag: "signal"; readonly signal: api.Signal }
  | { readonly _tag: "duration" }
  | { readonly _tag: "crash" }

export type CrashOrigin = "uncaughtException" | "unhandledRejection"

export interface Crash {
  readonly error: unknown
  readonly origin: CrashOrigin
}

export const maxCrashes = 10

/**
 * The shutdown as a small state machine, fed synchronously by the runtime's callbacks (signals, crashes) and
 * by the run itself (`runFor`). The first trigger starts the shutdown; the second signal forces the exit.
 */
export class Controller {
  trigger: Trigger | undefined = undefined
  /** The first {@link maxCrashes} crashes; a stray interval that throws every millisecond must not fill memory. */
  readonly crashes: Array<Crash> = []
  crashCount = 0
  /** Crashes already logged by the run. */
  crashesLogged = 0
  private signals = 0
  /** Completed by the first trigger. */
  readonly started: Deferred.Deferred<void> = Deferred.unsafeMake<void>(FiberId.none)
  /** Completed by a second signal during the shutdown. */
  readonly forced: Deferred.Deferred<void> = Deferred.unsafeMake<void>(FiberId.none)
  /** When the first trigger came, on the run's monotonic clock: the grace period counts from there. */
  triggeredAt: number | undefined = undefined
  private run: { readonly now: () => number; readonly interrupt: () => void } | undefined = undefined

  constructor(readonly state: ShutdownState) {}

  /**
   * Connects the running program. A trigger then interrupts it at once, from the runtime's callback itself:
   * the finalizers start without waiting for the run's own fiber to be scheduled.
   */
  attach(now: () => number, interrupt: () => void): void {
    this.run = { now, interrupt }
    if (this.trigger !== undefined) {
      this.triggeredAt ??= now()
      interrupt()
    }
  }

  private begin(trigger: Trigger): void {
    if (this.trigger !== undefined) return
    this.trigger = trigger
    this.state.started = true
    if (this.run !== undefined) {
      this.triggeredAt = this.run.now()
      this.run.interrupt()
    }
    Deferred.unsafeDone(this.started, Exit.void)
  }

  signal(signal: api.Signal): void {
    this.signals++
    if (this.trigger === undefined) this.begin({ _tag: "signal", signal })
    // The operator asked twice. A first signal during a runFor or crash shutdown only joins it: the
    // kubelet's SIGTERM at a Job deadline must not cut short the flush that runFor started.
    else if (this.signals >= 2) Deferred.unsafeDone(this.forced, Exit.void)
  }

  duration(): void {
    this.begin({ _tag: "duration" })
  }

  crash(error: unknown, origin: CrashOrigin): void {
    this.crashCount++
    if (this.crashes.length < maxCrashes) this.crashes.push({ error, origin })
    this.begin({ _tag: "crash" })
  }
}
