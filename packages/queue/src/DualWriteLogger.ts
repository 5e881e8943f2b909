/**
 * A logger that writes every line to a local logger (stdout by default) synchronously and offers it to a
 * {@link Shipper} best-effort: logging never blocks on, or fails because of, the remote side.
 *
 * Answers the `runner-shutdown-hang` replay: a job runner wrote logs to stdout and to a control plane; when
 * the control plane stopped reading, the runner hung at shutdown after its work had succeeded. Local output is
 * what Kubernetes keeps, so it always gets every line; the remote copy goes through a bounded, dropping shipper
 * whose flush is bounded when its scope closes.
 *
 * - When the shipper's queue is full the remote line is not even formatted: the call site pays for the local
 *   line and a counter.
 * - Nothing on the remote side can fail the caller's log call: a `format` or `weigh` that throws loses the
 *   remote copy only. The line is still written locally, the loss is counted in the shipper's `rejected` (and
 *   `lifeline_queue_dropped_total{queue}`), and reported on the local logger (at the 1st, 2nd, 4th, 8th… loss).
 * - Lines logged on the shipper's own fibers (marked with `Shipper.selfAnnotation`: its warnings, a deadline's
 *   "could not be interrupted" about a stuck send) are written locally but never fed back into that shipper.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type * as Logger from "effect/Logger"
import * as internal from "./internal/dualWriteLogger.ts"
import type * as Shipper from "./Shipper.ts"

/**
 * Options of {@link make} and {@link layer}. When `format` is left out the shipper must take strings:
 * each line is shipped in logfmt, exactly as written to stdout.
 *
 * @example
 * ```ts
 * import { DualWriteLogger, Shipper } from "@lifeline/queue"
 *
 * const options = (shipper: Shipper.Shipper<string>): DualWriteLogger.Options<string> => ({ shipper })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options<A> = [A] extends [string] ? StringOptions
  : FormatOptions<A>

/**
 * Options for a shipper of strings; `format` is optional.
 *
 * @example
 * ```ts
 * import { DualWriteLogger, Shipper } from "@lifeline/queue"
 * import { Logger } from "effect"
 *
 * // JSON lines to the remote, logfmt on stdout.
 * const options = (shipper: Shipper.Shipper<string>): DualWriteLogger.StringOptions => ({
 *   shipper,
 *   format: Logger.jsonLogger.log
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StringOptions {
  /** Where remote copies go. */
  readonly shipper: Shipper.Shipper<string>
  /**
   * Receives every log line, synchronously.
   * @default a logfmt line on stdout (`console.log`)
   */
  readonly local?: Logger.Logger<unknown, unknown> | undefined
  /**
   * Turns a log call into the item shipped. Called only when the shipper can take the item; a throw loses
   * that remote copy only.
   * @default `Logger.logfmtLogger.log` (when `local` is also the default, the stdout line is reused)
   */
  readonly format?:
    | ((options: Logger.Logger.Options<unknown>) => string)
    | undefined
}

/**
 * Options for a shipper of any item type; `format` is required.
 *
 * @example
 * ```ts
 * import { DualWriteLogger, Shipper } from "@lifeline/queue"
 *
 * interface Entry { readonly level: string; readonly message: string }
 *
 * const options = (shipper: Shipper.Shipper<Entry>): DualWriteLogger.FormatOptions<Entry> => ({
 *   shipper,
 *   format: ({ logLevel, message }) => ({ level: logLevel.label, message: String(message) })
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FormatOptions<A> {
  /** Where remote copies go. */
  readonly shipper: Shipper.Shipper<A>
  /**
   * Receives every log line, synchronously.
   * @default a logfmt line on stdout (`console.log`)
   */
  readonly local?: Logger.Logger<unknown, unknown> | undefined
  /**
   * Turns a log call into the item shipped. Called only when the shipper can take the item; a throw loses
   * that remote copy only.
   */
  readonly format: (options: Logger.Logger.Options<unknown>) => A
}

/**
 * The dual-write logger itself, to combine with other loggers.
 *
 * @example
 * ```ts
 * import { DualWriteLogger, Shipper } from "@lifeline/queue"
 * import { Effect, Logger } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const shipper = yield* Shipper.make({
 *     send: (batch: ReadonlyArray<string>) => Effect.log(`shipping ${batch.length}`),
 *     capacity: 1000,
 *     maxBatch: 100,
 *     linger: "100 millis",
 *     sendTimeout: "2 seconds",
 *     flushTimeout: "5 seconds",
 *     name: "logs"
 *   })
 *   const logger = DualWriteLogger.make({ shipper })
 *   yield* Effect.log("hello").pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  (options: StringOptions): Logger.Logger<unknown, void>
  <A>(options: FormatOptions<A>): Logger.Logger<unknown, void>
} = internal.make

/**
 * A layer replacing Effect's default logger with a dual-write logger.
 *
 * @example
 * ```ts
 * import { DualWriteLogger, Shipper } from "@lifeline/queue"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const shipper = yield* Shipper.make({
 *     send: (batch: ReadonlyArray<string>) => Effect.log(`shipping ${batch.length}`),
 *     capacity: 10_000,
 *     maxBatch: 500,
 *     linger: "200 millis",
 *     sendTimeout: "5 seconds",
 *     flushTimeout: "10 seconds",
 *     name: "control-plane"
 *   })
 *   yield* Effect.log("execution completed").pipe(Effect.provide(DualWriteLogger.layer({ shipper })))
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: {
  (options: StringOptions): Layer.Layer<never>
  <A>(options: FormatOptions<A>): Layer.Layer<never>
} = internal.layer
