import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/** One captured log call. */
export interface LogEntry {
  /** `"INFO"`, `"WARN"`, `"ERROR"`, … */
  readonly level: string
  readonly message: string
  /** `Cause.pretty` of the log's cause, `""` when it has none. */
  readonly cause: string
  readonly annotations: Record<string, unknown>
}

export interface CapturedLogs {
  readonly entries: Array<LogEntry>
  /** Adds the capturing logger beside the others. */
  readonly layer: Layer.Layer<never>
  /** Replaces the default logger with the capturing one (nothing reaches stdout). */
  readonly replace: Layer.Layer<never>
  /** Entries at `level` whose message contains `text`. */
  readonly find: (level: string, text?: string) => ReadonlyArray<LogEntry>
}

const render = (message: unknown): string => Array.isArray(message) ? message.map(String).join(" ") : String(message)

/** A logger that keeps every entry in memory, for assertions on level, message, cause and annotations. */
export const makeCapturedLogs = (): CapturedLogs => {
  const entries: Array<LogEntry> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
    entries.push({
      level: logLevel.label,
      message: render(message),
      cause: Cause.isEmpty(cause) ? "" : Cause.pretty(cause, { renderErrorCause: true }),
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  return {
    entries,
    layer: Logger.add(logger),
    replace: Logger.replace(Logger.defaultLogger, logger),
    find: (level, text) => entries.filter((e) => e.level === level && (text === undefined || e.message.includes(text)))
  }
}

/** {@link makeCapturedLogs} as an Effect, for `yield*` in a test. */
export const captureLogs: Effect.Effect<CapturedLogs> = Effect.sync(makeCapturedLogs)
