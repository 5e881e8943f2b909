/**
 * The last lines of a child process or fiber, captured and re-emitted once when it ends abnormally, so the
 * trail of a death outlives whatever held it.
 *
 * Answers the runner-death-log replay: a CI runner died mid-job; its diagnostic trail lived only on its stdout,
 * which was gone as soon as its pod was reaped, so the death could not be explained. The fix read the dead
 * runner's last lines from the controller (bounded to 200 lines / 64 KiB), only when the runner's exit code
 * said it died (a job whose own tests fail still exits 0), once per death although the reconcile loop saw
 * each death more than once, best-effort (it never failed the reconcile), and re-emitted them on the
 * controller's own stdout, tagged. The runner ran customer code, so its output could not be trusted.
 *
 * - {@link spawn} runs a child with `@effect/platform`'s `Command`, streams its stdout and stderr to the
 *   parent's log as they come (one log entry per line, annotated `name`, `pid`, `stream`), keeps a
 *   {@link LogTail} of them, and on an abnormal end reports one {@link DeathRecord}. If the caller is
 *   interrupted, the child is stopped: SIGTERM, then SIGKILL after `killAfter` — Effect's `Command` alone
 *   sends SIGTERM and waits for the exit forever.
 * - {@link report} emits a record through the {@link Emitter} service at most once per `key`, best-effort:
 *   a failing emitter is logged and counted, never raised.
 * - {@link guard} is the same for a fiber: the last lines the effect logged, reported if it dies with a defect.
 *
 * The child's text is data. Every line is escaped as a JSON string body is (backslash, control characters,
 * line separators, bidirectional overrides) before it reaches the tail or the log, and goes to the log as a
 * message or an annotation value, never as raw output: whatever the child writes — a newline and a forged log
 * line, a JSON object shaped like the parent's logs, ANSI escapes, invalid UTF-8, a 10 MB line — each of its
 * lines is one entry of the parent's log, attributed to it, at most `tail.maxBytes` long.
 *
 * Memory: a spawned child costs its tail (see {@link LogTail}) and a second line being assembled (stderr): about
 * `7 × tail.maxBytes + 200 × tail.maxLines` at worst, ≈ 490 KiB for the defaults. Each emitter remembers 1024 keys.
 *
 * Metrics: `lifeline_death_log_records_total{name}`, `lifeline_death_log_duplicates_total{name}`,
 * `lifeline_death_log_emit_failures_total{name}`, `lifeline_death_log_killed_total{name}`.
 *
 * @since 0.1.0
 */
import type * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as PlatformError from "@effect/platform/Error"
import type { Deadline } from "@lifeline/deadline"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as guardInternal from "./internal/guard.ts"
import * as reportInternal from "./internal/report.ts"
import * as spawnInternal from "./internal/spawn.ts"
import type * as LogTail from "./LogTail.ts"

/**
 * What is known of a death, as emitted once.
 *
 * - `key`: identifies the death for deduplication: `name:pid` for a child; `name:pid#n` for a guarded fiber
 *   (`pid` of the host process, `n` numbering the guarded runs of the process).
 * - `name`, `tags`: the caller's, from the options.
 * - `pid`: the child's process id (the host's for a guarded fiber).
 * - `exitCode`, `signal`: how the child ended: a code, or the signal that ended it (`null` for the other, and
 *   both `null` for a fiber).
 * - `endedAt`: when the end was seen (wall clock).
 * - `lines`: the last lines, oldest first, escaped (see the module's notes); a truncated line is a prefix.
 * - `droppedLines`: lines written before them that were not kept.
 * - `truncatedBytes`: bytes cut off lines longer than the tail's `maxBytes`.
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 *
 * const summary = (record: DeathLog.DeathRecord) =>
 *   `${record.key} ended ${record.signal ?? `with code ${record.exitCode}`}; last line: ${record.lines.at(-1)}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DeathRecord {
  readonly key: string
  readonly name: string
  readonly pid: number
  readonly exitCode: number | null
  readonly signal: string | null
  readonly endedAt: Date
  readonly tags: Readonly<Record<string, string>>
  readonly lines: ReadonlyArray<string>
  readonly droppedLines: number
  readonly truncatedBytes: number
}

/**
 * How a child ended, as `classify` sees it: an exit code, or the signal that ended it.
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 *
 * const end: DeathLog.End = { name: "runner", pid: 4242, exitCode: null, signal: "SIGKILL" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface End {
  readonly name: string
  readonly pid: number
  readonly exitCode: number | null
  readonly signal: string | null
}

/**
 * The verdict of `classify`: only an abnormal end is reported.
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 *
 * // exit code 2: the job's own tests failed — the runner itself is fine
 * const classify = (end: DeathLog.End): DeathLog.Classification =>
 *   end.exitCode === 0 || end.exitCode === 2 ? "clean" : "abnormal"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Classification = "clean" | "abnormal"

/**
 * Options of {@link spawn}.
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 *
 * const options: DeathLog.SpawnOptions = {
 *   name: "runner",
 *   tags: { pool: "linux-large" },
 *   tail: { maxLines: 200, maxBytes: 64 * 1024 },
 *   killAfter: "10 seconds"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnOptions {
  /**
   * Names the child in its log lines, its record (and its key, `name:pid`) and metrics (`name` tag): a
   * non-blank string you chose from a fixed set (`"runner"`, not a pod name).
   */
  readonly name: string
  /**
   * Caller's labels carried by the record (`pool`, `job`…): string values.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>> | undefined
  /**
   * Decides whether an end is abnormal (reported) or clean. Called once per end; a `classify` that throws or
   * returns anything but `"clean"` or `"abnormal"` counts the end as abnormal and logs a warning — the record
   * is the safe side.
   * @default exit code 0 is clean; any other code, or an end by a signal, is abnormal
   */
  readonly classify?: ((end: End) => Classification) | undefined
  /**
   * The bounds of the tail the record is made from (see `LogTail.Options`). Each line logged live is cut to
   * `maxBytes` too.
   * @default { maxLines: 200, maxBytes: 65536 }
   */
  readonly tail?: LogTail.Options | undefined
  /**
   * When the caller is interrupted, how long the child gets between SIGTERM and SIGKILL: a finite duration
   * ≥ 0 (`0` sends SIGKILL right after SIGTERM).
   * @default "5 seconds"
   */
  readonly killAfter?: Duration.DurationInput | undefined
}

/**
 * How {@link spawn} ended: the child's exit code or signal, whether `classify` called the end abnormal, and the
 * record reported then (`None` for a clean end).
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 * import { Option } from "effect"
 *
 * const describe = (result: DeathLog.SpawnResult) =>
 *   result.abnormal
 *     ? `died (${result.signal ?? result.exitCode}), ${Option.match(result.record, { onNone: () => 0, onSome: (r) => r.lines.length })} lines kept`
 *     : "clean"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnResult {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly abnormal: boolean
  readonly record: Option.Option<DeathRecord>
}

/**
 * Runs a child to its end, streaming its stdout and stderr to the parent's log as they come and into a tail,
 * and reports one {@link DeathRecord} if `classify` calls the end abnormal.
 *
 * - Each line of output is logged at Info as its own entry (escaped, cut to `tail.maxBytes`), annotated `name`,
 *   `pid` and `stream` (`"stdout"` or `"stderr"`); a last line without its newline is logged at the end.
 * - The record's `key` is `name:pid`; the record is reported through {@link report} (so at most once per key,
 *   best-effort) and also returned.
 * - If the calling fiber is interrupted, the child's process group is sent SIGTERM, and SIGKILL if it is still
 *   running `killAfter` later (counted in `lifeline_death_log_killed_total`); spawn then returns within about
 *   `killAfter` + 1 second whatever the child does. No record is reported for an end the caller caused.
 * - Output still arriving 2 seconds after the child exited (a pipe held open by a grandchild) is not waited for.
 *
 * Fails with `InvalidOptions` for bad options and with the platform's error if the child cannot be started.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/platform"
 * import { DeathLog } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * const runner = Effect.gen(function*() {
 *   const result = yield* DeathLog.spawn(Command.make("node", "runner.js"), {
 *     name: "runner",
 *     tags: { pool: "linux-large" },
 *     killAfter: "10 seconds"
 *   })
 *   if (result.abnormal) yield* Effect.logWarning(`runner died: ${result.signal ?? result.exitCode}`)
 * })
 *
 * // data-last
 * const same = Command.make("node", "runner.js").pipe(DeathLog.spawn({ name: "runner" }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const spawn: {
  (
    options: SpawnOptions
  ): (
    command: Command.Command
  ) => Effect.Effect<
    SpawnResult,
    Deadline.InvalidOptions | PlatformError.PlatformError,
    CommandExecutor.CommandExecutor
  >
  (
    command: Command.Command,
    options: SpawnOptions
  ): Effect.Effect<
    SpawnResult,
    Deadline.InvalidOptions | PlatformError.PlatformError,
    CommandExecutor.CommandExecutor
  >
} = spawnInternal.spawn

/**
 * Where records go: a service whose `emit` ships, stores or logs one record. Its failures never reach the
 * caller of {@link report}.
 *
 * @example
 * ```ts
 * import { DeathLog } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * const toStderr: DeathLog.Emitter = {
 *   emit: (record) => Effect.sync(() => console.error(JSON.stringify(record)))
 * }
 * const program = DeathLog.report(record).pipe(Effect.provideService(DeathLog.Emitter, toStderr))
 * declare const record: DeathLog.DeathRecord
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Emitter {
  readonly emit: (record: DeathRecord) => Effect.Effect<unknown, unknown>
}

/**
 * The emitter service. Without one provided, records go to the default emitter: one structured log entry at
 * Error, `"death log captured"`, with the record's fields as annotations (`endedAt` as an ISO string) — on
 * the parent's durable stdout, where its logs are collected.
 *
 * @example
 * ```ts
 * import { DeathLog } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const emitter = yield* DeathLog.Emitter // the default one unless a layer provides another
 *   yield* emitter.emit(record)
 * })
 * declare const record: DeathLog.DeathRecord
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export const Emitter: Context.Reference<Emitter, Emitter> = reportInternal.Emitter

/**
 * Emits a record through the {@link Emitter} service, at most once per `record.key`: each emitter remembers
 * the last 1024 keys it saw, so an observer that sees one death twice (a reconcile loop, an exit and a close
 * event) emits it once. A key is remembered when it is first reported, whether or not the emission succeeds.
 *
 * Best-effort: an emitter that fails, dies or throws is logged (Warning, with its cause) and counted in
 * `lifeline_death_log_emit_failures_total`; `report` itself always succeeds.
 *
 * @example
 * ```ts
 * import { DeathLog } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * // a reconcile loop that observes the same end on every pass
 * const reconcile = (ended: DeathLog.DeathRecord) =>
 *   Effect.gen(function*() {
 *     yield* DeathLog.report(ended)
 *     yield* DeathLog.report(ended) // remembered: not emitted again
 *   })
 * ```
 *
 * @since 0.1.0
 * @category reporting
 */
export const report: (record: DeathRecord) => Effect.Effect<void> = reportInternal.report

/**
 * Options of {@link layerEmitter}.
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 *
 * const options: DeathLog.EmitterOptions = { timeout: "3 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EmitterOptions {
  /**
   * The most one emission may take: a positive, finite duration. Past it the emission is interrupted through
   * `Deadline.within` and counts as failed, so a stalled remote cannot hold the caller of {@link report}.
   * @default "10 seconds"
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * An {@link Emitter} from a function: ship records, store them, or collect them in a test. Each emission is
 * bounded by `timeout`, and a function that throws instead of returning an Effect counts as failing. The layer
 * is built with a fresh memory of keys. Options out of their domain are a programming error: building the
 * layer dies with `InvalidOptions`.
 *
 * @example
 * ```ts
 * import { DeathLog } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * const records: Array<DeathLog.DeathRecord> = []
 * const collect = DeathLog.layerEmitter((record) => Effect.sync(() => records.push(record)))
 * const program = DeathLog.report(record).pipe(Effect.provide(collect))
 * declare const record: DeathLog.DeathRecord
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerEmitter: <E, R>(
  emit: (record: DeathRecord) => Effect.Effect<unknown, E, R>,
  options?: EmitterOptions
) => Layer.Layer<Emitter, never, R> = reportInternal.layerEmitter

/**
 * Options of {@link guard}.
 *
 * @example
 * ```ts
 * import type { DeathLog } from "@lifeline/death-log"
 *
 * const options: DeathLog.GuardOptions = { name: "indexer", tail: { maxLines: 50 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardOptions {
  /** Names the fiber in its record and metrics: a non-blank string you chose. */
  readonly name: string
  /**
   * Caller's labels carried by the record.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>> | undefined
  /**
   * The bounds of the tail of log lines (see `LogTail.Options`).
   * @default { maxLines: 200, maxBytes: 65536 }
   */
  readonly tail?: LogTail.Options | undefined
}

/**
 * The in-process version of {@link spawn}: keeps the last lines the effect logged (its forked fibers included;
 * one logfmt line per log call, escaped) and, if it dies with a defect, reports them with a last line holding
 * the defect, then dies with it as before. Success, a typed failure or interruption reports nothing. The
 * effect's own loggers see every log call unchanged. Options out of their domain are a programming error: the
 * effect dies with `InvalidOptions`.
 *
 * @example
 * ```ts
 * import { DeathLog } from "@lifeline/death-log"
 * import { Effect } from "effect"
 *
 * const indexer = Effect.gen(function*() {
 *   yield* Effect.log("indexing batch 7")
 *   yield* Effect.die(new Error("corrupt segment"))
 * }).pipe(DeathLog.guard({ name: "indexer" }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const guard: {
  (
    options: GuardOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    options: GuardOptions
  ): Effect.Effect<A, E, R>
} = guardInternal.guard
