/**
 * The charts of the incident pages, built at docs build from the runs recorded in `docs/recordings/` (`pnpm demo
 * --record`): for each incident, what its naive and Lifeline runs look like on one axis — memory over time, a
 * shutdown's timeline, a loop's sweeps and health answers, the runners' lives. Only data goes to the page; the
 * chart components in the theme (`ReplayChart.vue`) draw it.
 *
 * Every figure comes from a recording: times from the events and samples a replay recorded, limits (the RSS
 * bound, the flush timeout, the grace period) from its summary or from the events it recorded with them. A
 * chart whose recordings are missing is built as `missing`, which the page shows and the docs check fails on.
 */
import type { RecordedEvent, Recording } from "../../examples/shared/Recording.ts"

/** Colours by meaning, resolved by the theme for light and dark mode. */
export type Tone = "naive" | "lifeline" | "ok" | "warn" | "bad" | "muted" | "info"

/** An axis: what it measures, in which unit, and the extent of the data (the chart rounds it to whole ticks). */
export interface Axis {
  readonly label: string
  readonly unit: string
  readonly min: number
  readonly max: number
}

export interface LegendEntry {
  readonly label: string
  readonly tone: Tone
  readonly shape: "line" | "limit" | "box" | "dot" | "diamond" | "tick"
}

/** A line across the plot: a bound, a deadline, a moment. */
export interface Limit {
  readonly at: number
  readonly label: string
  readonly tone: Tone
}

interface Base {
  readonly id: string
  readonly title: string
  readonly caption: string
  readonly legend: ReadonlyArray<LegendEntry>
}

export interface Series {
  readonly label: string
  readonly tone: Tone
  readonly points: ReadonlyArray<readonly [number, number]>
  /** Written at the series' last point: how the run ended. */
  readonly end?: { readonly label: string; readonly tone: Tone }
}

/** Values over time: one line per run. */
export interface LineChart extends Base {
  readonly kind: "line"
  readonly x: Axis
  readonly y: Axis
  readonly series: ReadonlyArray<Series>
  /** Horizontal lines, at values of `y`. */
  readonly limits: ReadonlyArray<Limit>
  /** Vertical lines, at values of `x`. */
  readonly moments: ReadonlyArray<Limit>
}

export interface Span {
  readonly from: number
  readonly to: number
  readonly tone: Tone
  readonly label?: string
}

export interface Mark {
  readonly at: number
  readonly tone: Tone
  readonly shape: "dot" | "diamond" | "tick"
  readonly label?: string
}

/** One row of a timeline: a run, or a part of one. */
export interface Lane {
  readonly label: string
  readonly detail?: string
  /** Whose row it is: `naive` or `lifeline`. */
  readonly tone: Tone
  readonly spans: ReadonlyArray<Span>
  readonly marks: ReadonlyArray<Mark>
}

/** What happened when, one lane per run (or part of a run), on a common time axis. */
export interface TimelineChart extends Base {
  readonly kind: "timeline"
  readonly x: Axis
  readonly lanes: ReadonlyArray<Lane>
  /** Vertical lines across every lane: deadlines and limits. */
  readonly moments: ReadonlyArray<Limit>
}

export interface Segment {
  readonly value: number
  readonly tone: Tone
  readonly label: string
}

export interface BarRow {
  readonly label: string
  readonly detail?: string
  readonly tone: Tone
  readonly segments: ReadonlyArray<Segment>
  /** Written after the bar: its figures in words. */
  readonly note: string
}

/** Amounts, one stacked bar per row. */
export interface BarChart extends Base {
  readonly kind: "bars"
  readonly x: Axis
  readonly rows: ReadonlyArray<BarRow>
  readonly limits: ReadonlyArray<Limit>
}

/** A chart whose recordings are not there: shown as such, and failed by the docs check. */
export interface Missing {
  readonly kind: "missing"
  readonly id: string
  readonly title: string
  readonly reason: string
}

export type Chart = LineChart | TimelineChart | BarChart | Missing

/** The charts of each incident page, by incident name. */
export type Charts = Readonly<Record<string, ReadonlyArray<Chart>>>

/** Recordings by `<example>/<label>`, as `pnpm demo --record` names their files. */
export type Recordings = ReadonlyMap<string, Recording>

// --- reading a recording ---

const seconds = (ms: number): number => Math.round(ms) / 1000

const eventsOf = (recording: Recording, name: string): ReadonlyArray<RecordedEvent> =>
  recording.events.filter((e) => e.name === name)

const firstOf = (recording: Recording, name: string, where: (e: RecordedEvent) => boolean = () => true) =>
  recording.events.find((e) => e.name === name && where(e))

const num = (
  value: unknown,
  fallback = 0
): number => (typeof value === "number" && Number.isFinite(value) ? value : fallback)

const figure = (recording: Recording, key: string): number => num(recording.summary[key])

/** The time of the event `name`, or the error that says which recording lacks it. */
const timeOf = (recording: Recording, name: string): number => {
  const event = firstOf(recording, name)
  if (event === undefined) throw new MissingData(`${recording.example} (${recording.mode}) recorded no "${name}" event`)
  return event.t
}

class MissingData extends Error {}

const format = (value: number, digits = 1): string =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 })

const s = (ms: number, digits = 1): string => `${format(ms / 1000, digits)} s`

const exitTone = (code: number): Tone => (code === 0 ? "ok" : "bad")

// --- log-shipper-oom ---

const logShipperOom = (naive: Recording, lifeline: Recording): ReadonlyArray<Chart> => {
  const points = (r: Recording) => (r.series["rssMb"] ?? []).map(([t, v]) => [seconds(t), v] as const)
  const watchdogMb = naive.watchdog.maxRssMb ?? 0
  const boundMb = figure(lifeline, "rssBoundMb")
  const naivePeak = Math.max(...(naive.series["rssMb"] ?? []).map(([, v]) => v))
  const flushStarted = timeOf(lifeline, "flush started")
  const flushEnded = timeOf(lifeline, "flush ended")
  const rss: LineChart = {
    kind: "line",
    id: "rss",
    title: "Resident memory of the runner, naive and Lifeline",
    caption: `Sampled every 100 ms (50 ms under the naive run's memory watchdog). Naive: the unbounded buffer grows ` +
      `as fast as the job writes, and the watchdog ends the run at ${format(naivePeak, 0)} MiB after ` +
      `${s(naive.end.t)} (without it, the kernel's OOM killer would). Lifeline: the same ` +
      `${figure(lifeline, "jobMb")} MiB job against the same 2-second API peaks at ${
        figure(lifeline, "peakRssMb")
      } MiB, under its bound of ${boundMb} MiB (baseline ${figure(lifeline, "baselineRssMb")} + GC headroom ${
        figure(lifeline, "gcHeadroomMb")
      } + ${figure(lifeline, "retainedBoundMb")} MiB the log path may retain), and its final flush ends in ${
        format(figure(lifeline, "flushMs"), 0)
      } ms (limit ${format(figure(lifeline, "flushLimitMs"), 0)} ms).`,
    legend: [
      { label: "naive", tone: "naive", shape: "line" },
      { label: "Lifeline", tone: "lifeline", shape: "line" },
      { label: "limit", tone: "muted", shape: "limit" }
    ],
    x: {
      label: "time since the run started",
      unit: "s",
      min: 0,
      max: seconds(Math.max(naive.end.t, lifeline.end.t))
    },
    y: { label: "resident memory", unit: "MiB", min: 0, max: Math.max(watchdogMb, naivePeak, boundMb) * 1.08 },
    series: [
      {
        label: "naive",
        tone: "naive",
        points: points(naive),
        end: { label: `${naive.end.outcome}, exit ${naive.end.exitCode}`, tone: exitTone(naive.end.exitCode) }
      },
      {
        label: "Lifeline",
        tone: "lifeline",
        points: points(lifeline),
        end: { label: `${lifeline.end.outcome}, exit ${lifeline.end.exitCode}`, tone: exitTone(lifeline.end.exitCode) }
      }
    ],
    limits: [
      { at: watchdogMb, label: `naive run's memory watchdog: ${watchdogMb} MiB`, tone: "naive" },
      { at: boundMb, label: `Lifeline's bound: ${boundMb} MiB`, tone: "lifeline" }
    ],
    moments: [
      { at: seconds(flushStarted), label: "Lifeline: job done, flush starts", tone: "lifeline" },
      { at: seconds(flushEnded), label: "flush ends", tone: "lifeline" }
    ]
  }
  return [rss]
}

// --- runner-shutdown-hang ---

const runnerShutdownHang = (naive: Recording, lifeline: Recording): ReadonlyArray<Chart> => {
  const flushTimeoutMs = figure(lifeline, "flushTimeoutMs")
  const shutdownLimitMs = figure(lifeline, "shutdownLimitMs")
  const lane = (r: Recording, label: string, tone: Tone): Lane => {
    const completed = timeOf(r, "execution completed")
    const started = timeOf(r, "execution started")
    const hung = r.end.endedBy !== "itself"
    return {
      label,
      tone,
      spans: [
        { from: seconds(started - completed), to: 0, tone: "muted" },
        { from: 0, to: seconds(r.end.t - completed), tone: hung ? "bad" : "ok" }
      ],
      marks: [
        { at: 0, tone: "info", shape: "dot" },
        {
          at: seconds(r.end.t - completed),
          tone: exitTone(r.end.exitCode),
          shape: "diamond",
          label: hung
            ? `still running: the watchdog ends it (${r.end.outcome}, exit ${r.end.exitCode})`
            : `exit ${r.end.exitCode} after ${s(r.end.t - completed, 2)}`
        }
      ]
    }
  }
  const lanes = [lane(naive, "naive", "naive"), lane(lifeline, "Lifeline", "lifeline")]
  const from = Math.min(...lanes.map((l) => l.spans[0]!.from))
  const to = Math.max(...lanes.map((l) => l.spans[1]!.to))
  const shutdown: TimelineChart = {
    kind: "timeline",
    id: "shutdown",
    title: 'The shutdown, from "execution completed" to the exit',
    caption: `Both runners log the same ${format(figure(naive, "linesLogged"), 0)} lines to a control plane that ` +
      `accepted the log stream and stopped reading it. Naive: the shutdown waits for the stream loop, which waits ` +
      `on the full channel; the runner is still there ${s(naive.end.t - timeOf(naive, "execution completed"))} ` +
      `after its work was done, when the replay's watchdog ends it. Lifeline: the shipper ships what it can ` +
      `within its flushTimeout, counts the rest as dropped, and the runner exits ${
        s(figure(lifeline, "shutdownMs"), 2)
      } after "execution completed", within the bound of flushTimeout + the deadline's grace.`,
    legend: [
      { label: "work", tone: "muted", shape: "box" },
      { label: '"execution completed"', tone: "info", shape: "dot" },
      { label: "shutdown that ends", tone: "ok", shape: "box" },
      { label: "shutdown that never ends", tone: "bad", shape: "box" },
      { label: "exit", tone: "muted", shape: "diamond" },
      { label: "deadline", tone: "lifeline", shape: "limit" }
    ],
    x: { label: 'time since "execution completed"', unit: "s", min: from, max: to },
    lanes,
    moments: [
      { at: seconds(flushTimeoutMs), label: `flushTimeout: ${s(flushTimeoutMs, 0)}`, tone: "lifeline" },
      { at: seconds(shutdownLimitMs), label: `+ grace: ${s(shutdownLimitMs, 0)}`, tone: "lifeline" }
    ]
  }
  const held = (r: Recording) => {
    const completed = timeOf(r, "execution completed")
    return (r.series["remotePending"] ?? []).filter(([t]) => t >= completed).map(([t, v]) =>
      [seconds(t - completed), v] as const
    )
  }
  const naiveHeld = held(naive)
  const lifelineHeld = held(lifeline)
  const pending: LineChart = {
    kind: "line",
    id: "pending",
    title: "Log entries not yet sent to the control plane, during the shutdown",
    caption:
      `Naive: the sink's unbounded buffer holds ${
        format(naiveHeld.at(-1)?.[1] ?? 0, 0)
      } entries that can never be sent, and the shutdown waits for them. Lifeline: the shipper holds at most its ` +
      `queue's capacity and the batch in flight; at the flushTimeout it gives up on them (counted as ` +
      `droppedAtShutdown: ${format(figure(lifeline, "remoteDroppedAtShutdown"), 0)}) and the shutdown ends. Every ` +
      `line is on stdout in both runs.`,
    legend: [
      { label: "naive", tone: "naive", shape: "line" },
      { label: "Lifeline", tone: "lifeline", shape: "line" },
      { label: "deadline", tone: "lifeline", shape: "limit" }
    ],
    x: { label: 'time since "execution completed"', unit: "s", min: 0, max: to },
    y: {
      label: "entries held",
      unit: "entries",
      min: 0,
      max: Math.max(...[...naiveHeld, ...lifelineHeld].map(([, v]) => v)) * 1.1
    },
    series: [
      {
        label: "naive",
        tone: "naive",
        points: naiveHeld,
        end: { label: `watchdog: exit ${naive.end.exitCode}`, tone: exitTone(naive.end.exitCode) }
      },
      {
        label: "Lifeline",
        tone: "lifeline",
        points: lifelineHeld,
        end: { label: `exit ${lifeline.end.exitCode}`, tone: exitTone(lifeline.end.exitCode) }
      }
    ],
    limits: [],
    moments: [{ at: seconds(flushTimeoutMs), label: `flushTimeout: ${s(flushTimeoutMs, 0)}`, tone: "lifeline" }]
  }
  return [shutdown, pending]
}

// --- patrol-loop-stall ---

const sweepTone: Readonly<Record<string, Tone>> = {
  succeeded: "ok",
  "timed out": "warn",
  defect: "bad",
  failed: "warn"
}

const healthTone = (status: unknown): Tone => (status === 200 ? "ok" : status === 503 ? "warn" : "bad")

const sweepLegend: ReadonlyArray<LegendEntry> = [
  { label: "sweep succeeded", tone: "ok", shape: "box" },
  { label: "timed out (deadline)", tone: "warn", shape: "box" },
  { label: "defect", tone: "bad", shape: "box" },
  { label: "never ends", tone: "bad", shape: "box" },
  { label: "/healthz 200", tone: "ok", shape: "dot" },
  { label: "/healthz 503", tone: "warn", shape: "dot" },
  { label: "scheduled tick", tone: "muted", shape: "tick" }
]

/** The legend, and an entry for sweeps still in progress when the run ended if a lane has one. */
const withInProgress = (legend: ReadonlyArray<LegendEntry>, lanes: ReadonlyArray<Lane>): ReadonlyArray<LegendEntry> =>
  lanes.some((lane) => lane.spans.some((span) => span.tone === "muted"))
    ? [...legend, { label: "in progress when the run ended", tone: "muted", shape: "box" }]
    : legend

/** A run's sweeps and `/healthz` answers as two lanes, in seconds since the replay's clock started. */
const patrolLanes = (r: Recording, label: string, tone: Tone): { lanes: ReadonlyArray<Lane>; hung?: number } => {
  const started = firstOf(r, "replay started")
  if (started === undefined) throw new MissingData(`${r.example} (${r.mode}) recorded no "replay started" event`)
  const origin = started.t
  const every = num(started.data?.["everyMs"], 200)
  const end = r.end.t
  const spans: Array<Span> = []
  // A wedged sweep never ends while later ones run: it gets a lane of its own.
  const abandoned: Array<Span> = []
  const marks: Array<Mark> = []
  let hung: number | undefined
  for (let tick = 0; tick <= end - origin; tick += every) {
    marks.push({ at: seconds(tick), tone: "muted", shape: "tick" })
  }
  const labelled = new Set<string>()
  for (const begin of eventsOf(r, "sweep started")) {
    const n = begin.data?.["n"]
    const seen = firstOf(r, "sweep ended", (e) => e.data?.["n"] === n && e.t >= begin.t)
    // Ended only when the run closed its scope, after its figures were taken: still running at the end.
    const cut = seen !== undefined && seen.t > (r.end.returned ?? r.end.t)
    const ended = cut ? undefined : seen
    const wedged = firstOf(r, "sweep wedged", (e) => e.data?.["n"] === n)
    const outcome = ended === undefined
      ? (wedged === undefined ? "never ends" : "wedged")
      : String(ended.data?.["outcome"])
    const to = ended?.t ?? end
    if (cut && r.mode !== "naive" && wedged === undefined) {
      // A Lifeline sweep that had merely not finished when the run ended.
      spans.push({ from: seconds(begin.t - origin), to: seconds(to - origin), tone: "muted" })
      continue
    }
    const first = !labelled.has(outcome) && outcome !== "succeeded"
    labelled.add(outcome)
    if (ended === undefined) hung = begin.t - origin
    const lane = wedged === undefined ? spans : abandoned
    lane.push({
      from: seconds(begin.t - origin),
      to: seconds(to - origin),
      tone: ended === undefined ? "bad" : sweepTone[outcome] ?? "warn",
      ...(first
        ? {
          label: ended === undefined
            ? `sweep ${n} ${outcome === "wedged" ? "wedged in uninterruptible code" : "hangs: no deadline"}`
            : `sweep ${n}: ${outcome}`
        }
        : {})
    })
  }
  const health: Array<Mark> = eventsOf(r, "healthz").map((e) => ({
    at: seconds(e.t - origin),
    tone: healthTone(e.data?.["status"]),
    shape: "dot"
  }))
  return {
    lanes: [
      { label, detail: "sweeps", tone, spans, marks },
      ...(abandoned.length === 0 ? [] : [{ label, detail: "wedged sweep", tone, spans: abandoned, marks: [] }]),
      { label, detail: "/healthz", tone, spans: [], marks: health }
    ],
    ...(hung === undefined ? {} : { hung })
  }
}

const patrolLoopStall = (naive: Recording, lifeline: Recording, wedge: Recording): ReadonlyArray<Chart> => {
  const n = patrolLanes(naive, "naive", "naive")
  const l = patrolLanes(lifeline, "Lifeline", "lifeline")
  const naiveOrigin = timeOf(naive, "replay started")
  const statuses = (r: Recording, since = 0) => {
    const counts: Record<string, number> = {}
    for (const e of eventsOf(r, "healthz")) {
      if (e.t >= since) counts[String(e.data?.["status"])] = (counts[String(e.data?.["status"])] ?? 0) + 1
    }
    return Object.entries(counts).map(([k, v]) => `${v} × ${k}`).join(", ")
  }
  const stallAfter = num(firstOf(naive, "replay started")?.data?.["stallAfterMs"], 600)
  const stalledAt = n.hung === undefined ? undefined : n.hung + stallAfter
  const maxEnd = Math.max(naive.end.t - naiveOrigin, lifeline.end.t - timeOf(lifeline, "replay started"))
  const sweeps: TimelineChart = {
    kind: "timeline",
    id: "sweeps",
    title: "Sweeps and /healthz answers, naive and Lifeline",
    caption:
      `One sweep is scheduled every ${
        num(firstOf(naive, "replay started")?.data?.["everyMs"], 200)
      } ms (the incident's hour, scaled down); the alert API never answers some requests, and sweep 6 meets an alert ` +
      `its rules do not know. Naive: ${
        n.hung === undefined
          ? "the loop keeps going"
          : `sweep ${eventsOf(naive, "sweep started").length} hangs on the silent API at ${
            s(n.hung, 2)
          }, no tick after it starts a sweep`
      }, and the probe still gets ${statuses(naive, naiveOrigin + (stalledAt ?? 0))} from /healthz once the loop ` +
      `has stalled. Lifeline: every sweep is cut at its ${
        num(firstOf(lifeline, "replay started")?.data?.["sweepTimeoutMs"], 150)
      } ms deadline, the defect is logged and the next sweep runs; /healthz: ${statuses(lifeline)}.`,
    legend: withInProgress(sweepLegend, [...n.lanes, ...l.lanes]),
    x: { label: "time since the loop started", unit: "s", min: 0, max: seconds(maxEnd) },
    lanes: [...n.lanes, ...l.lanes],
    moments: stalledAt === undefined ? [] : [{
      at: seconds(stalledAt),
      label: `naive stalled: no sweep ended for ${s(stallAfter, 1)}`,
      tone: "naive"
    }]
  }
  const w = patrolLanes(wedge, "Lifeline --wedge", "lifeline")
  const wedgeOrigin = timeOf(wedge, "replay started")
  const wedged = timeOf(wedge, "sweep wedged")
  const first503 = firstOf(wedge, "healthz", (e) => e.t >= wedged && e.data?.["status"] === 503)
  const timing = firstOf(wedge, "replay started")?.data ?? {}
  const abandonAfter = num(timing["sweepTimeoutMs"], 150) + num(timing["sweepGraceMs"], 250)
  const wedgeChart: TimelineChart = {
    kind: "timeline",
    id: "wedge",
    title: "Lifeline with a sweep wedged in uninterruptible code (--wedge)",
    caption:
      `Sweep ${
        firstOf(wedge, "sweep wedged")?.data?.["n"] ?? "5"
      } waits, uninterruptibly, for an acknowledgement that never comes while it holds the executor. No deadline ` +
      `can stop that: the supervisor abandons it after its timeout and grace (${abandonAfter} ms) and the loop ` +
      `keeps ticking, but every later sweep waits on the executor and times out. /healthz reports it: its first ` +
      `503 comes ${
        first503 === undefined ? "never (this run would fail its judge)" : `${format(first503.t - wedged, 0)} ms`
      } after the wedge, so a liveness probe restarts the pod.`,
    legend: withInProgress(sweepLegend.filter((e) => e.label !== "never ends"), w.lanes),
    x: { label: "time since the loop started", unit: "s", min: 0, max: seconds(wedge.end.t - wedgeOrigin) },
    lanes: w.lanes.map((lane) =>
      lane.detail === "/healthz" && first503 !== undefined
        ? {
          ...lane,
          marks: [...lane.marks, {
            at: seconds(first503.t - wedgeOrigin),
            tone: "warn" as const,
            shape: "diamond" as const,
            label: "first 503"
          }]
        }
        : lane
    ),
    moments: [{
      at: seconds(wedged - wedgeOrigin + abandonAfter),
      label: `timeout + grace after the wedge: ${abandonAfter} ms`,
      tone: "lifeline"
    }]
  }
  return [sweeps, wedgeChart]
}

// --- loadgen-exit-code ---

const loadgenLane = (r: Recording, label: string, tone: Tone): Lane => {
  const origin = timeOf(r, "ready")
  const at = (e: RecordedEvent) => seconds(e.t - origin)
  const exited = firstOf(r, "exited")
  if (exited === undefined) throw new MissingData(`${r.example} ${r.args.join(" ")} recorded no "exited" event`)
  const code = num(exited.data?.["exitCode"], -1)
  // The end, in order: what each moment is, as the lane's one label says it.
  const steps: ReadonlyArray<readonly [RecordedEvent | undefined, Mark["shape"], Tone, string]> = [
    [firstOf(r, "SIGTERM"), "tick", "muted", "SIGTERM"],
    [firstOf(r, "final stats"), "dot", "info", "final stats"],
    [firstOf(r, "fatal"), "dot", "bad", "fatal"],
    [firstOf(r, "exit summary"), "dot", "ok", `Main.run: ${firstOf(r, "exit summary")?.data?.["reason"]}`]
  ]
  const seen = steps.filter(([e]) => e !== undefined).sort(([a], [b]) => a!.t - b!.t)
  const stop = seen[0]?.[0] ?? exited
  const sigterm = firstOf(r, "SIGTERM")
  const sequence = [...seen.map(([, , , text]) => text), `exit ${code}`].join(" → ") +
    (sigterm === undefined ? "" : ` (${format(exited.t - sigterm.t, 0)} ms after SIGTERM)`)
  return {
    label,
    detail: r.args.filter((a) => a !== "--naive").join(" ") || "SIGTERM",
    tone,
    spans: [
      { from: 0, to: at(stop), tone: "info" },
      { from: at(stop), to: at(exited), tone: code === 0 ? "ok" : "bad" }
    ],
    marks: [
      ...seen.map(([e, shape, markTone]): Mark => ({ at: at(e!), tone: markTone, shape })),
      { at: at(exited), tone: exitTone(code), shape: "diamond", label: sequence }
    ]
  }
}

const planOf = (r: Recording) => {
  const plan = firstOf(r, "plan")
  if (plan === undefined) throw new MissingData(`${r.example} ${r.args.join(" ")} recorded no "plan" event`)
  return {
    sigtermAtMs: num(plan.data?.["sigtermAtMs"]),
    terminationGracePeriodMs: num(plan.data?.["terminationGracePeriodMs"]),
    gracePeriodMs: num(plan.data?.["gracePeriodMs"]),
    durationMs: num(plan.data?.["durationMs"], Number.NaN)
  }
}

const loadgenLegend: ReadonlyArray<LegendEntry> = [
  { label: "load test running", tone: "info", shape: "box" },
  { label: "SIGTERM", tone: "muted", shape: "tick" },
  { label: "final stats", tone: "info", shape: "dot" },
  { label: "fatal line", tone: "bad", shape: "dot" },
  { label: "Main.run's summary", tone: "ok", shape: "dot" },
  { label: "exit 0", tone: "ok", shape: "diamond" },
  { label: "exit 1", tone: "bad", shape: "diamond" },
  { label: "deadline", tone: "lifeline", shape: "limit" }
]

const loadgenExitCode = (
  naive: Recording,
  lifeline: Recording,
  naiveDuration: Recording,
  lifelineDuration: Recording
): ReadonlyArray<Chart> => {
  const plan = planOf(lifeline)
  const sigtermLanes = [loadgenLane(naive, "naive", "naive"), loadgenLane(lifeline, "Lifeline", "lifeline")]
  const lastAt = (lanes: ReadonlyArray<Lane>) => Math.max(...lanes.flatMap((l) => l.marks.map((m) => m.at)))
  const sigterm: TimelineChart = {
    kind: "timeline",
    id: "sigterm",
    title: "A graceful SIGTERM, and the exit code it ends with",
    caption: `The kubelet sends SIGTERM ${s(plan.sigtermAtMs)} into the load test. Both load generators stop and ` +
      `print their final stats within milliseconds. Naive: its tasks return the cancellation as an error, the ` +
      `boundary logs it as fatal and exits ${
        figure(naive, "loadgenExitCode")
      }, so the Job is marked Failed. Lifeline: Main.run treats the signal as an interruption and exits ${
        figure(lifeline, "loadgenExitCode")
      }. The dashed lines are the deadlines that would have ended a stuck shutdown: Main.run's gracePeriod (exit ` +
      `124), then the pod's terminationGracePeriod (SIGKILL).`,
    legend: loadgenLegend,
    x: {
      label: 'time since "load test started"',
      unit: "s",
      min: 0,
      max: Math.max(lastAt(sigtermLanes), seconds(plan.sigtermAtMs + plan.terminationGracePeriodMs))
    },
    lanes: sigtermLanes,
    moments: [
      {
        at: seconds(plan.sigtermAtMs + plan.gracePeriodMs),
        label: `Main.run gracePeriod: ${s(plan.gracePeriodMs, 0)} after SIGTERM`,
        tone: "lifeline"
      },
      {
        at: seconds(plan.sigtermAtMs + plan.terminationGracePeriodMs),
        label: `terminationGracePeriod: SIGKILL ${s(plan.terminationGracePeriodMs, 0)} after SIGTERM`,
        tone: "muted"
      }
    ]
  }
  const durationPlan = planOf(lifelineDuration)
  const durationLanes = [
    loadgenLane(naiveDuration, "naive", "naive"),
    loadgenLane(lifelineDuration, "Lifeline", "lifeline")
  ]
  const duration: TimelineChart = {
    kind: "timeline",
    id: "duration",
    title: "A run that ends itself (--duration), before the Job's deadline",
    caption: `Both load generators are given ${s(durationPlan.durationMs)} to run. Naive: its context times out, ` +
      `and "context deadline exceeded" is one more error at the boundary: exit ${
        figure(naiveDuration, "loadgenExitCode")
      }. Lifeline: runFor interrupts the program, the finalizer prints the final stats, and the exit is ${
        figure(lifelineDuration, "loadgenExitCode")
      } (reason "duration"), well before the Job's activeDeadlineSeconds would have the kubelet send SIGTERM.`,
    legend: loadgenLegend,
    x: {
      label: 'time since "load test started"',
      unit: "s",
      min: 0,
      max: Math.max(lastAt(durationLanes), seconds(durationPlan.sigtermAtMs)) * 1.05
    },
    lanes: durationLanes,
    moments: [
      { at: seconds(durationPlan.durationMs), label: `--duration ${s(durationPlan.durationMs)}`, tone: "lifeline" },
      {
        at: seconds(durationPlan.durationMs + durationPlan.gracePeriodMs),
        label: `+ gracePeriod ${s(durationPlan.gracePeriodMs, 0)}`,
        tone: "lifeline"
      },
      {
        at: seconds(durationPlan.sigtermAtMs),
        label: `Job deadline: SIGTERM at ${s(durationPlan.sigtermAtMs)}`,
        tone: "muted"
      }
    ]
  }
  return [sigterm, duration]
}

// --- runner-death-log ---

interface RunnerFigures {
  readonly pod: string
  readonly fate: string
  readonly abnormal: boolean
  readonly ended: string
  readonly linesWritten: number
  readonly linesRecovered: number
}

const runnersOf = (r: Recording): ReadonlyArray<RunnerFigures> => {
  const runners = r.summary["runners"]
  if (!Array.isArray(runners)) throw new MissingData(`${r.example} (${r.mode}) has no runners in its summary`)
  return runners as ReadonlyArray<RunnerFigures>
}

const deathLogLanes = (r: Recording, mode: "naive" | "Lifeline"): ReadonlyArray<Lane> => {
  const origin = Math.min(...eventsOf(r, "runner started").map((e) => e.t))
  const at = (e: RecordedEvent) => seconds(e.t - origin)
  return runnersOf(r).map((runner): Lane => {
    const ofPod = (name: string) => firstOf(r, name, (e) => e.data?.["pod"] === runner.pod)
    const started = ofPod("runner started")
    const ended = ofPod("runner ended")
    const reaped = ofPod("reaped")
    const captured = ofPod("death log captured")
    if (started === undefined || ended === undefined || reaped === undefined) {
      throw new MissingData(`${r.example} (${r.mode}) did not record the life of ${runner.pod}`)
    }
    const deleted = num(reaped.data?.["containerLogLines"], Number.NaN)
    return {
      label: mode,
      detail: `${runner.pod} (${runner.fate})`,
      tone: mode === "naive" ? "naive" : "lifeline",
      spans: [
        { from: at(started), to: at(ended), tone: "info" },
        { from: at(ended), to: at(reaped), tone: "muted" }
      ],
      marks: [
        {
          at: at(ended),
          tone: runner.abnormal ? "bad" : "ok",
          shape: "diamond",
          label: runner.ended.replace(/^signal /, "")
        },
        ...(captured === undefined ? [] : [{
          at: at(captured),
          tone: "ok" as const,
          shape: "dot" as const,
          label: `death log: last ${captured.data?.["lines"]} lines`
        }]),
        {
          at: at(reaped),
          tone: runner.abnormal && mode === "naive" ? "bad" : "muted",
          shape: "tick",
          label: Number.isNaN(deleted) ? "reaped" : `reaped: ${format(deleted, 0)} log lines deleted`
        }
      ]
    }
  })
}

/** How long after its end a runner's pod was reaped, on average. */
const reapDelay = (r: Recording): number => {
  const delays = eventsOf(r, "reaped").map((reaped) => {
    const ended = firstOf(r, "runner ended", (e) => e.data?.["pod"] === reaped.data?.["pod"])
    return ended === undefined ? 0 : reaped.t - ended.t
  })
  return delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length)
}

const runnerDeathLog = (naive: Recording, lifeline: Recording): ReadonlyArray<Chart> => {
  const lanes = [...deathLogLanes(naive, "naive"), ...deathLogLanes(lifeline, "Lifeline")]
  const maxLines = figure(lifeline, "tailMaxLines")
  const maxBytes = figure(lifeline, "tailMaxBytes")
  const lives: TimelineChart = {
    kind: "timeline",
    id: "lives",
    title: "The runners' lives: start, end, reap",
    caption: `Three runners per run: one SIGKILLed mid-job, one that exits 1, one whose tests fail while it exits ` +
      `0. A finished pod is reaped about ${
        s(reapDelay(naive), 1)
      } after its end, which deletes its container log. Naive: the controller's log says how each runner ended and ` +
      `nothing of why; the reap deletes the only copy of the dead runners' last lines. Lifeline: the controller ` +
      `reads each runner's output from its pipes and, when a runner dies, logs one "death log captured" record ` +
      `with its last lines at once, before the reap; nothing for the clean exit.`,
    legend: [
      { label: "running", tone: "info", shape: "box" },
      { label: "ended, until the reap", tone: "muted", shape: "box" },
      { label: "abnormal end", tone: "bad", shape: "diamond" },
      { label: "clean end", tone: "ok", shape: "diamond" },
      { label: "death log captured", tone: "ok", shape: "dot" },
      { label: "reap", tone: "muted", shape: "tick" }
    ],
    x: {
      label: "time since the first runner started",
      unit: "s",
      min: 0,
      max: Math.max(...lanes.flatMap((l) => l.spans.map((sp) => sp.to)))
    },
    lanes,
    moments: []
  }
  const rows = (r: Recording, mode: "naive" | "Lifeline"): ReadonlyArray<BarRow> =>
    runnersOf(r).map((runner): BarRow => {
      const kept = runner.linesRecovered
      const rest = Math.max(0, runner.linesWritten - kept)
      return {
        label: mode,
        detail: `${runner.pod} (${runner.fate})`,
        tone: mode === "naive" ? "naive" : "lifeline",
        segments: !runner.abnormal
          ? [{ value: runner.linesWritten, tone: "muted", label: "no record needed: exit 0" }]
          : mode === "naive"
          ? [{ value: runner.linesWritten, tone: "bad", label: "lost with the pod" }]
          : [
            { value: kept, tone: "ok", label: "kept in the death log" },
            { value: rest, tone: "warn", label: "older than the tail's bound" }
          ],
        note: !runner.abnormal
          ? `${format(runner.linesWritten, 0)} written, exit 0`
          : mode === "naive"
          ? `${format(runner.linesWritten, 0)} lost`
          : `${format(kept, 0)} kept, ${format(rest, 0)} older`
      }
    })
  const allRows = [...rows(naive, "naive"), ...rows(lifeline, "Lifeline")]
  const tail: BarChart = {
    kind: "bars",
    id: "tail",
    title: "What the controller's log keeps of each runner's output",
    caption: `Lines each runner wrote, and what of them the controller's durable log holds once the pods are ` +
      `reaped. The death log keeps a bounded tail — the last ${maxLines} lines or ${
        format(maxBytes / 1024, 0)
      } KiB, whichever is reached first (the killed runner's long build-output lines reach the byte bound first) ` +
      `— ending with the last line the runner wrote.`,
    legend: [
      { label: "kept in the death log", tone: "ok", shape: "box" },
      { label: "older than the tail's bound", tone: "warn", shape: "box" },
      { label: "lost with the pod", tone: "bad", shape: "box" },
      { label: "clean exit: no record", tone: "muted", shape: "box" }
    ],
    x: {
      label: "lines the runner wrote",
      unit: "lines",
      min: 0,
      max: Math.max(...allRows.flatMap((row) => row.segments.reduce((sum, seg) => sum + seg.value, 0)))
    },
    rows: allRows,
    limits: [{ at: maxLines, label: `tail bound: ${maxLines} lines`, tone: "lifeline" }]
  }
  return [lives, tail]
}

// --- the pages ---

/** The recordings each incident's charts are drawn from (`<example>/<label>`), and how. */
const pages: Readonly<
  Record<
    string,
    { readonly runs: ReadonlyArray<string>; readonly build: (...runs: Array<Recording>) => ReadonlyArray<Chart> }
  >
> = {
  "log-shipper-oom": { runs: ["naive", "lifeline"], build: logShipperOom },
  "runner-shutdown-hang": { runs: ["naive", "lifeline"], build: runnerShutdownHang },
  "patrol-loop-stall": { runs: ["naive", "lifeline", "wedge"], build: patrolLoopStall },
  "loadgen-exit-code": {
    runs: ["naive", "lifeline", "naive-duration", "duration"],
    build: loadgenExitCode
  },
  "runner-death-log": { runs: ["naive", "lifeline"], build: runnerDeathLog }
}

/** The incidents that have charts, and the recordings each needs. */
export const needed: Readonly<Record<string, ReadonlyArray<string>>> = Object.fromEntries(
  Object.entries(pages).map(([name, page]) => [name, page.runs])
)

/** Every incident's charts, from the recordings; a chart that cannot be built says why. */
export const chartsOf = (recordings: Recordings): Charts =>
  Object.fromEntries(
    Object.entries(pages).map(([name, page]) => {
      const missing = page.runs.filter((label) => !recordings.has(`${name}/${label}`))
      if (missing.length > 0) {
        return [name, [
          {
            kind: "missing",
            id: "recordings",
            title: `${name}: no recording`,
            reason: `missing docs/recordings/${name}/{${missing.join(",")}}.json: run \`pnpm demo ${name} --record\``
          } satisfies Missing
        ]]
      }
      try {
        return [name, page.build(...page.runs.map((label) => recordings.get(`${name}/${label}`)!))]
      } catch (error) {
        return [name, [
          {
            kind: "missing",
            id: "recordings",
            title: `${name}: recordings unusable`,
            reason: error instanceof Error ? error.message : String(error)
          } satisfies Missing
        ]]
      }
    })
  )
