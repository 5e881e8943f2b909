/**
 * The process boundary of an Effect program on Node, Deno and Bun: how it starts, how it stops, and which
 * exit code the platform sees.
 *
 * Answers the loadgen-exit-code replay: a load generator exited 1 on every graceful SIGTERM, because its
 * background tasks turned "canceled" into errors that reached a fatal log at the top, so every nightly
 * Kubernetes Job was marked Failed; and even a clean exit was marked Failed once the Job's
 * `activeDeadlineSeconds` killed the pod, so the fix had to end the run before that deadline.
 *
 * Effect's own boundary (`NodeRuntime.runMain`) falls short in ways that show only in production: it has no
 * grace period, so a finalizer that never ends keeps the process alive after SIGTERM until the kubelet's
 * SIGKILL; it does not exit after a plain success, so a leaked interval, socket or daemon fiber keeps a
 * finished job alive; a program that completes synchronously leaves its signal listeners behind and the
 * first SIGTERM is swallowed; and every failure that is not interruption-only is exit code 1.
 *
 * - {@link run} installs the signal and crash handlers before the program starts, interrupts the program on
 *   a signal, after `runFor`, or when a stray callback crashes the process; waits at most `gracePeriod` for
 *   its finalizers; writes one JSON summary line on stderr; and always exits.
 * - {@link exitCode} is the policy alone, pure, for tests and for callers with their own boundary.
 * - {@link shuttingDown} and {@link readinessApp} let the program and its load balancer see the shutdown
 *   coming: `/readyz` answers 503 from the moment it starts.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as policy from "./internal/policy.ts"
import * as readiness from "./internal/readiness.ts"
import * as boundary from "./internal/run.ts"
import * as shutdown from "./internal/shutdown.ts"

/**
 * A signal {@link run} can stop the program on. `SIGKILL` and `SIGSTOP` cannot be caught, and `SIGUSR1`
 * belongs to Node's inspector, so they are not offered.
 *
 * @example
 * ```ts
 * import type { Main } from "@lifeline/exit"
 *
 * const signals: ReadonlyArray<Main.Signal> = ["SIGTERM", "SIGINT", "SIGHUP"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Signal = "SIGTERM" | "SIGINT" | "SIGHUP" | "SIGQUIT" | "SIGUSR2"

/**
 * The exit codes of the policy. Every code is a whole number from 0 to 255 (what a process can report);
 * anything else is an `InvalidOptions`.
 *
 * @example
 * ```ts
 * import type { Main } from "@lifeline/exit"
 *
 * // a load test whose own deadline is part of the plan, and a config error the Job must not retry
 * const codes: Main.Codes = { byTag: { DeadlineExceeded: 0, ConfigError: 78 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Codes {
  /**
   * A typed failure (the `E` channel) whose `_tag` is not in `byTag`.
   * @default 1
   */
  readonly failure?: number | undefined
  /**
   * A defect (`Effect.die`, a thrown exception) in the program, or an uncaught exception or unhandled
   * rejection outside it. 70 is `EX_SOFTWARE` of `sysexits.h`.
   * @default 70
   */
  readonly defect?: number | undefined
  /**
   * The program did not finish within `gracePeriod` after the shutdown started, or a second signal cut the
   * grace period short. 124 is what `timeout(1)` reports.
   * @default 124
   */
  readonly graceExceeded?: number | undefined
  /**
   * Codes for typed failures by their error's `_tag`, e.g. `{ DeadlineExceeded: 0 }` to count the program's
   * own run-duration deadline as success.
   * @default {}
   */
  readonly byTag?: Readonly<Record<string, number>> | undefined
}

/**
 * Options of {@link run}.
 *
 * @example
 * ```ts
 * import type { Main } from "@lifeline/exit"
 *
 * // a 30-minute load test in a Job with activeDeadlineSeconds: 2100 and terminationGracePeriodSeconds: 30
 * const options: Main.RunOptions = { runFor: "30 minutes", gracePeriod: "20 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /**
   * How long the program may take to finish (its finalizers to run) once the shutdown has started — after a
   * signal, after `runFor`, or after a crash outside the program. Past it the process exits at once with
   * `codes.graceExceeded` and the summary names what was still running. A finite duration ≥ 0; keep it
   * below the platform's own limit (Kubernetes' `terminationGracePeriodSeconds`).
   * @default "10 seconds"
   */
  readonly gracePeriod?: Duration.DurationInput | undefined
  /**
   * How long the program runs: when it elapses the program is interrupted and, if it then ends by that
   * interruption, the run counts as a success (exit 0, reason `duration`). A finite duration > 0; without it
   * the program runs until it ends or a signal arrives. Set `runFor + gracePeriod` below a Job's
   * `activeDeadlineSeconds`.
   * @default undefined (no limit)
   */
  readonly runFor?: Duration.DurationInput | undefined
  /**
   * The signals that start the shutdown (at least one, duplicates ignored). A second one during the grace
   * period forces the exit at once.
   * @default ["SIGTERM", "SIGINT"]
   */
  readonly signals?: ReadonlyArray<Signal> | undefined
  /**
   * The exit codes; see {@link Codes}.
   * @default { failure: 1, defect: 70, graceExceeded: 124, byTag: {} }
   */
  readonly codes?: Codes | undefined
}

/**
 * Why the process ended, as the summary line reports it:
 *
 * - `completed`: the program ended by itself with code 0 (success, interruption only, or a failure that
 *   `byTag` maps to 0);
 * - `signal` / `duration`: a signal or `runFor` started the shutdown and the program then ended with code 0;
 * - `failed`: a typed failure with a non-zero code;
 * - `defect`: a defect in the program, or an uncaught exception or unhandled rejection outside it;
 * - `grace-exceeded`: the program was still running `gracePeriod` after the shutdown started, or a second
 *   signal cut the grace period short.
 *
 * @example
 * ```ts
 * import type { Main } from "@lifeline/exit"
 *
 * const healthy = (reason: Main.Reason) => reason === "completed" || reason === "signal" || reason === "duration"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | "completed"
  | "signal"
  | "duration"
  | "failed"
  | "defect"
  | "grace-exceeded"

/**
 * The one line {@link run} writes on stderr just before the process exits, as JSON:
 * `{"event":"exit","code":0,"reason":"signal","signal":"SIGTERM","elapsedMs":1234}`.
 *
 * - `signal`: present when a signal started the shutdown.
 * - `elapsedMs`: from the start of the program to the exit, on the monotonic clock.
 * - `stillRunning`: present on `grace-exceeded`: one entry per fiber of the program still alive (the
 *   program's own fiber first, then the fibers it started, by id), each `#<fiber id>` followed by the names
 *   of its current `Effect.withSpan` spans from outermost to innermost (or, without spans, its
 *   `Effect.withLogSpan` labels) and its log annotations in braces; at most 20 entries, then `… N more`.
 *
 * @example
 * ```ts
 * import type { Main } from "@lifeline/exit"
 *
 * const line = `{"event":"exit","code":124,"reason":"grace-exceeded","signal":"SIGTERM","elapsedMs":10004,"stillRunning":["#3 shutdown > flush-logs"]}`
 * const summary: Main.Summary = JSON.parse(line)
 * console.log(summary.stillRunning?.[0]) // #3 shutdown > flush-logs
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly event: "exit"
  readonly code: number
  readonly reason: Reason
  readonly signal?: Signal
  readonly elapsedMs: number
  readonly stillRunning?: ReadonlyArray<string>
}

/**
 * Runs `program` as the whole process, then ends the process with the code of {@link exitCode}.
 *
 * - Handlers for `signals` and for uncaught exceptions and unhandled rejections are installed before the
 *   program starts (even one that completes synchronously) and removed before the exit.
 * - A signal, `runFor` elapsing, or a crash outside the program (a stray callback that throws or a promise
 *   rejected with nobody listening) interrupts the program; its finalizers run within `gracePeriod`. From
 *   that moment {@link shuttingDown} is true and {@link readinessApp} answers 503.
 * - If the program has not finished `gracePeriod` after that, or a second signal arrives, the process exits
 *   at once with `codes.graceExceeded`, naming what was still running. A signal that arrives first during a
 *   `runFor` or crash shutdown does not shorten it; the one after it does.
 * - The code: the policy of {@link exitCode} applied to the program's `Exit` (so a signal or `runFor` that
 *   ends the program by interruption is 0), except that a crash outside the program is `codes.defect`.
 *   A failure or defect is logged with its `Cause`.
 * - Then one {@link Summary} line is written on stderr, stdout and stderr are given up to one second to drain,
 *   and the process exits — also after a success, so a leaked timer, socket or daemon fiber cannot keep a
 *   finished job alive.
 *
 * Options are validated before anything starts. Bad options (a negative, NaN or infinite duration, an unknown
 * signal, a code outside 0–255) do not start the program: the `InvalidOptions` message is written on
 * stderr, then the summary `{"event":"exit","code":2,"reason":"failed","elapsedMs":0}`, and the process
 * exits with 2, the usual code for a usage error.
 *
 * @example
 * ```ts
 * import { Main } from "@lifeline/exit"
 * import { Effect, Schedule } from "effect"
 *
 * const loadTest = Effect.gen(function*() {
 *   yield* Effect.addFinalizer(() => Effect.log("final stats: sent 120000, errors 0"))
 *   yield* Effect.log("sending").pipe(Effect.repeat(Schedule.spaced("1 second")))
 * }).pipe(Effect.scoped)
 *
 * // ends by itself after 30 minutes with exit 0; SIGTERM before that is exit 0 too
 * Main.run(loadTest, { runFor: "30 minutes", gracePeriod: "20 seconds" })
 *
 * // data-last
 * loadTest.pipe(Main.run({ runFor: "30 minutes" }))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run: {
  (options?: RunOptions): <A, E>(program: Effect.Effect<A, E>) => void
  <A, E>(program: Effect.Effect<A, E>, options?: RunOptions): void
} = boundary.run

/**
 * The exit-code policy: what an `Exit` means to the platform.
 *
 * - success → 0;
 * - interruption only → 0 (a shutdown asked for is not a failure);
 * - a defect anywhere in the cause → `codes.defect`;
 * - otherwise a typed failure → `codes.byTag[error._tag]` if the tag is listed, else `codes.failure`. The
 *   real failure wins over the interruptions it caused in its siblings. With several failures, the first
 *   (in the cause's order, sequential and parallel alike) whose code is not 0 decides; if `byTag` maps every
 *   one to 0, the code is 0.
 *
 * Codes out of their domain (see {@link Codes}) throw `InvalidOptions`: inside an Effect, a defect.
 *
 * @example
 * ```ts
 * import { Main } from "@lifeline/exit"
 * import { Cause, Data, Exit, FiberId } from "effect"
 *
 * class SendFailed extends Data.TaggedError("SendFailed")<{}> {}
 *
 * console.log(Main.exitCode(Exit.interrupt(FiberId.none))) // 0
 * // the failure beats the interruption it caused in a sibling
 * console.log(Main.exitCode(Exit.failCause(Cause.parallel(Cause.fail(new SendFailed()), Cause.interrupt(FiberId.none))))) // 1
 * console.log(Main.exitCode(Exit.fail(new SendFailed()), { byTag: { SendFailed: 75 } })) // 75
 * console.log(Main.exitCode(Exit.die(new Error("bug")))) // 70
 * ```
 *
 * @since 0.1.0
 * @category policy
 */
export const exitCode: {
  (codes?: Codes): <A, E>(exit: Exit.Exit<A, E>) => number
  <A, E>(exit: Exit.Exit<A, E>, codes?: Codes): number
} = policy.exitCode

/**
 * `true` from the moment a signal, `runFor` or a crash outside the program starts the shutdown of
 * {@link run}; `false` before, and outside {@link run}. A loop can check it to stop taking new work while its
 * finalizers drain what it has.
 *
 * @example
 * ```ts
 * import { Main } from "@lifeline/exit"
 * import { Effect } from "effect"
 *
 * const intake = Effect.gen(function*() {
 *   if (yield* Main.shuttingDown) return "closed"
 *   return "accepting"
 * })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const shuttingDown: Effect.Effect<boolean> = shutdown.shuttingDown

/**
 * An `@effect/platform` `HttpApp` for a readiness probe: `GET` and `HEAD /readyz` answer 200
 * (`{"ready":true}`) until the shutdown starts and 503 (`{"ready":false}`) from that moment, so a load
 * balancer stops sending traffic while the program drains; other methods get 405 with `Allow: GET, HEAD`,
 * other paths 404. It answers from memory, no I/O.
 *
 * Serve it from inside the program, and keep the server up while the program drains: the finalizers run in
 * reverse order, so a server acquired before the work is closed after the work's finalizers have run.
 *
 * @example
 * ```ts
 * import { HttpServer } from "@effect/platform"
 * import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
 * import { Main } from "@lifeline/exit"
 * import { Effect, Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * const probes = HttpServer.serve(Main.readinessApp).pipe(
 *   Layer.provide(NodeHttpServer.layer(() => createServer(), { port: 8081 }))
 * )
 * const service = Effect.gen(function*() {
 *   // let the load balancer see the 503 before the work stops
 *   yield* Effect.addFinalizer(() => Effect.sleep("5 seconds"))
 *   yield* Effect.never
 * }).pipe(Effect.scoped, Effect.provide(probes))
 *
 * Main.run(service, { gracePeriod: "20 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category readiness
 */
export const readinessApp: HttpApp.Default = readiness.readinessApp
