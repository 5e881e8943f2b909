import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as TestClock from "effect/TestClock"

export interface Entry {
  readonly level: string
  readonly message: string
  /** `Cause.pretty` of the log's cause, "" when it has none. */
  readonly cause: string
  readonly annotations: Record<string, unknown>
}

/** A logger that keeps every entry in memory, for assertions on level, message and cause. */
export const captureLogs = () => {
  const entries: Array<Entry> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
    entries.push({
      level: logLevel.label,
      message: Array.isArray(message) ? message.map(String).join(" ") : String(message),
      cause: Cause.isEmpty(cause) ? "" : Cause.pretty(cause, { renderErrorCause: true }),
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  return { entries, layer: Logger.add(logger) }
}

/** Moves the TestClock forward in small steps, so chains of sleeps started by woken fibers fire in order. */
export const advance = (input: Duration.DurationInput, step: Duration.DurationInput = "100 millis") =>
  Effect.gen(function* () {
    const total = Duration.toMillis(Duration.decode(input))
    const by = Duration.toMillis(Duration.decode(step))
    for (let moved = 0; moved < total; moved += by) {
      yield* TestClock.adjust(Duration.millis(Math.min(by, total - moved)))
    }
  })

/** Time of the TestClock in milliseconds. */
export const now = Effect.clockWith((clock) => clock.currentTimeMillis)

/** A small deterministic PRNG (mulberry32), so a soak run is the same run every time. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
