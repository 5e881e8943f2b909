/**
 * What a replay records of its run for the pictures in the docs: time series (`ctx.sample`) and events
 * (`ctx.event`), each stamped with the milliseconds since the run started. The recorder is bounded whatever
 * the run does — a series is thinned when it grows past its bound, keeping its highs and lows; events and series
 * past theirs are counted, not kept — so recording never becomes the memory problem a replay is about. With
 * `--record <file>` the harness writes the recording as one small JSON file: each series cut down to a few
 * hundred points, numbers rounded, laid out the way `deno fmt` lays out JSON so a committed recording stays as
 * written.
 */
import type { Mode } from "../incidents.ts"
import type { EndedBy, Summary, Watchdog } from "./Example.ts"

/** A value an event carries: small and flat, so a recording stays readable. */
export type EventValue = string | number | boolean | null

export type EventData = Readonly<Record<string, EventValue>>

/** `[milliseconds since the run started, value]`. */
export type Point = readonly [t: number, value: number]

export interface RecordedEvent {
  /** Milliseconds since the run started. */
  readonly t: number
  readonly name: string
  readonly data?: EventData
}

/** What the bounds left out of a recording. */
export interface Dropped {
  /** Events past `maxEvents`. */
  readonly events: number
  /** Samples of series past `maxSeries`, and samples that were not finite numbers. */
  readonly samples: number
}

/** The file `--record <file>` writes. */
export interface Recording {
  readonly format: 1
  readonly example: string
  readonly mode: Mode
  /** The run's arguments, without `--record`. */
  readonly args: ReadonlyArray<string>
  readonly watchdog: Watchdog
  /** How and when the run ended: the moment its summary line was printed. */
  readonly end: {
    readonly t: number
    /** When the mode returned its figures, if it did: what comes after is its scope closing. */
    readonly returned?: number
    readonly outcome: Summary["outcome"]
    readonly exitCode: number
    readonly endedBy: EndedBy
  }
  /** The run's summary line, figures included. */
  readonly summary: Summary & Readonly<Record<string, unknown>>
  readonly series: Readonly<Record<string, ReadonlyArray<Point>>>
  readonly events: ReadonlyArray<RecordedEvent>
  readonly dropped: Dropped
}

export interface Limits {
  /** Distinct series a run may record. */
  readonly maxSeries: number
  /** Points a series keeps in memory; past that it is thinned to half, highs and lows kept. */
  readonly maxPointsInMemory: number
  /** Points a series keeps in the written file. */
  readonly maxPointsWritten: number
  readonly maxEvents: number
  /** Characters kept of an event's name and of each string it carries. */
  readonly maxTextChars: number
  /** Fields kept of an event's data. */
  readonly maxDataFields: number
}

export const defaultLimits: Limits = {
  maxSeries: 16,
  maxPointsInMemory: 4096,
  maxPointsWritten: 300,
  maxEvents: 2000,
  maxTextChars: 200,
  maxDataFields: 16
}

/**
 * At most `target` (at least 2) points of `points`, in time order: the first and the last, and for each slice of the rest
 * its lowest and highest point, so a peak (the RSS that tripped a watchdog) survives the thinning.
 */
export const downsample = (points: ReadonlyArray<Point>, target: number): ReadonlyArray<Point> => {
  if (points.length <= Math.max(target, 2)) return points
  const inner = points.slice(1, -1)
  const first = points[0]!
  const last = points[points.length - 1]!
  const buckets = Math.floor((target - 2) / 2)
  if (buckets <= 0) {
    // Room for one more point at most: the highest.
    const high = inner.reduce((a, b) => (b[1] > a[1] ? b : a))
    return target >= 3 ? [first, high, last] : [first, last]
  }
  const out: Array<Point> = [first]
  for (let b = 0; b < buckets; b++) {
    const slice = inner.slice(Math.floor((b * inner.length) / buckets), Math.floor(((b + 1) * inner.length) / buckets))
    if (slice.length === 0) continue
    let low = slice[0]!
    let high = slice[0]!
    for (const p of slice) {
      if (p[1] < low[1]) low = p
      if (p[1] > high[1]) high = p
    }
    if (low === high) out.push(low)
    else out.push(...(low[0] <= high[0] ? [low, high] : [high, low]))
  }
  out.push(last)
  return out
}

/** `value` to four significant digits: enough for a chart, short in a file. */
export const round = (value: number): number => (value === 0 ? 0 : Number(value.toPrecision(4)))

export interface Recorder {
  readonly sample: (series: string, value: number, t: number) => void
  readonly event: (name: string, data: EventData | undefined, t: number) => void
  /** Each series cut to `maxPointsWritten`, times in whole milliseconds, values rounded. */
  readonly series: () => Record<string, ReadonlyArray<Point>>
  readonly events: () => ReadonlyArray<RecordedEvent>
  readonly dropped: () => Dropped
}

const cut = (text: string, max: number): string => (text.length <= max ? text : text.slice(0, max - 1) + "…")

export const make = (limits: Limits = defaultLimits): Recorder => {
  const series = new Map<string, Array<Point>>()
  const events: Array<RecordedEvent> = []
  let droppedEvents = 0
  let droppedSamples = 0

  const clean = (data: EventData): EventData => {
    const out: Record<string, EventValue> = {}
    for (const [key, value] of Object.entries(data).slice(0, limits.maxDataFields)) {
      out[cut(key, limits.maxTextChars)] = typeof value === "string"
        ? cut(value, limits.maxTextChars)
        : typeof value === "number"
        ? (Number.isFinite(value) ? round(value) : null)
        : typeof value === "boolean" || value === null
        ? value
        : cut(String(value), limits.maxTextChars)
    }
    return out
  }

  return {
    sample: (name, value, t) => {
      let points = series.get(name)
      if (points === undefined) {
        if (series.size >= limits.maxSeries) return void droppedSamples++
        series.set(name, points = [])
      }
      if (typeof value !== "number" || !Number.isFinite(value)) return void droppedSamples++
      points.push([t, value])
      if (points.length >= limits.maxPointsInMemory) {
        series.set(name, [...downsample(points, Math.floor(limits.maxPointsInMemory / 2))])
      }
    },
    event: (name, data, t) => {
      if (events.length >= limits.maxEvents) return void droppedEvents++
      const entry = { t, name: cut(String(name), limits.maxTextChars) }
      events.push(data === undefined || Object.keys(data).length === 0 ? entry : { ...entry, data: clean(data) })
    },
    series: () =>
      Object.fromEntries(
        [...series].map((
          [name, points]
        ) => [name, downsample(points, limits.maxPointsWritten).map(([t, v]): Point => [Math.round(t), round(v)])])
      ),
    events: () => events.map((e) => ({ ...e, t: Math.round(e.t) })),
    dropped: () => ({ events: droppedEvents, samples: droppedSamples })
  }
}

/** The arguments of a run without `--record` and its value. */
export const argsWithoutRecord = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg.startsWith("--record=")) continue
    if (arg === "--record") {
      if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) i++
      continue
    }
    out.push(arg)
  }
  return out
}

// Inline when the line stays this short: below `deno fmt`'s 120 columns, so the formatter keeps it as written,
// and what is written expanded it keeps expanded.
const inlineWidth = 100

/** `value` as JSON laid out as `deno fmt` lays it out: what fits on a line inline, the rest one item a line. */
export const toJson = (value: unknown): string => print(value, 0, 0) + "\n"

const inline = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(", ")} }`
  }
  return JSON.stringify(value) ?? "null"
}

/** `prefix`: the characters before the value on its line (indent, key); the line also takes a comma. */
const print = (value: unknown, indent: number, prefix: number): string => {
  const flat = inline(value)
  if (typeof value !== "object" || value === null || prefix + flat.length + 1 <= inlineWidth) return flat
  const pad = " ".repeat(indent + 2)
  const items = Array.isArray(value)
    ? value.map((v) => pad + print(v, indent + 2, indent + 2))
    : Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => {
      const key = `${JSON.stringify(k)}: `
      return pad + key + print(v, indent + 2, indent + 2 + key.length)
    })
  if (items.length === 0) return flat
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"]
  return `${open}\n${items.join(",\n")}\n${" ".repeat(indent)}${close}`
}
