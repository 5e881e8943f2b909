import { Deadline, Metrics, Options } from "@lifeline/deadline"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as api from "../DeathLog.ts"
import type * as LogTail from "../LogTail.ts"

/** How many recent keys an emitter remembers to recognise a death it has already seen. */
export const rememberedKeys = 1024

const defaultEmitTimeout = Duration.seconds(10)

const emitted = Metrics.counter(
  "lifeline_death_log_records_total",
  "Death records emitted, by name"
)
const duplicates = Metrics.counter(
  "lifeline_death_log_duplicates_total",
  "Death records not emitted because their key was reported before, by name"
)
const failed = Metrics.counter(
  "lifeline_death_log_emit_failures_total",
  "Death records whose emitter failed, died, threw or timed out, by name"
)

/** A record from a tail's snapshot: its lines as text (already escaped by the tail they come from). */
export const record = (
  fields: Omit<api.DeathRecord, "lines" | "droppedLines" | "truncatedBytes"> & { readonly snapshot: LogTail.Snapshot }
): api.DeathRecord => ({
  key: fields.key,
  name: fields.name,
  pid: fields.pid,
  exitCode: fields.exitCode,
  signal: fields.signal,
  endedAt: fields.endedAt,
  tags: fields.tags,
  lines: fields.snapshot.lines.map((line) => line.text),
  droppedLines: fields.snapshot.droppedLines,
  truncatedBytes: fields.snapshot.truncatedBytes
})

/**
 * The record's fields as log annotations, each a string or a number: Effect's default logger renders an object
 * or array annotation as indented JSON over several lines, which a line-based log collector would split apart.
 * `lines` and `tags` go as JSON text on one line (`JSON.parse` gives them back); `endedAt` as an ISO string.
 */
export const annotations = (record: api.DeathRecord): Record<string, unknown> => ({
  key: record.key,
  name: record.name,
  pid: record.pid,
  exitCode: record.exitCode,
  signal: record.signal,
  endedAt: record.endedAt.toISOString(),
  tags: JSON.stringify(record.tags),
  lines: JSON.stringify(record.lines),
  droppedLines: record.droppedLines,
  truncatedBytes: record.truncatedBytes
})

export const defaultEmitter: api.Emitter = {
  emit: (record) =>
    Effect.annotateLogs(
      Effect.logError("death log captured"),
      annotations(record)
    )
}

export const Emitter: Context.Reference<api.Emitter, api.Emitter> = Context
  .Reference<api.Emitter>()(
    "@lifeline/death-log/Emitter",
    { defaultValue: () => defaultEmitter }
  )

/** Keys seen recently, oldest first; a `Set` keeps insertion order, so forgetting the oldest is O(1). */
class KeyMemory {
  private readonly keys = new Set<string>()

  /** Whether `key` is new; it is remembered either way. */
  remember(key: string): boolean {
    if (this.keys.has(key)) return false
    this.keys.add(key)
    if (this.keys.size > rememberedKeys) {
      this.keys.delete(this.keys.values().next().value!)
    }
    return true
  }
}

// One memory per emitter: a layer built again (a test, a new runtime) starts with a fresh memory, and the
// default emitter (one per process) with one for the whole process.
const memories = new WeakMap<api.Emitter, KeyMemory>()

const memoryOf = (emitter: api.Emitter): KeyMemory => {
  let memory = memories.get(emitter)
  if (memory === undefined) {
    memory = new KeyMemory()
    memories.set(emitter, memory)
  }
  return memory
}

export const report = (record: api.DeathRecord): Effect.Effect<void> =>
  Effect.flatMap(Emitter, (emitter) => {
    const tags = { name: record.name }
    if (!memoryOf(emitter).remember(record.key)) {
      return Metrics.bind(duplicates, tags).update(1)
    }
    return Effect.suspend(() => emitter.emit(record)).pipe(
      Effect.zipRight(Metrics.bind(emitted, tags).update(1)),
      Effect.catchAllCause((cause) =>
        Effect.zipRight(
          Metrics.bind(failed, tags).update(1),
          Effect.logWarning(
            "death log: could not emit a record; it is lost",
            cause
          ).pipe(
            Effect.annotateLogs({ key: record.key, name: record.name })
          )
        )
      )
    )
  })

const timeoutCheck = Options.optional(
  Options.positiveDuration,
  defaultEmitTimeout
)

export const layerEmitter = <E, R>(
  emit: (record: api.DeathRecord) => Effect.Effect<unknown, E, R>,
  options?: api.EmitterOptions
): Layer.Layer<api.Emitter, never, R> =>
  Layer.effect(
    Emitter,
    Effect.gen(function* () {
      // Bad options are a programming error here, as a bad grace is for `Deadline.within`: the layer dies.
      const timeout = yield* Effect.orDie(Options.attempt(() => {
        Options.getOrThrow(Options.callable("emit", emit))
        return Options.getOrThrow(timeoutCheck("timeout", options?.timeout))
      }))
      const context = yield* Effect.context<R>()
      return {
        emit: (record) =>
          Effect.suspend(() => emit(record)).pipe(
            Deadline.within(timeout, { label: "death-log emit" }),
            Effect.provide(context)
          )
      }
    })
  )
