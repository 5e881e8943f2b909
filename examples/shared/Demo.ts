/**
 * How `pnpm demo` judges and shows the runs it makes: each run against the `(outcome, exitCode)` the
 * incident list expects of it — both, since an `ok` that exits 1 is as wrong as a crash — and one table for
 * all of them. Pure, so the judging is tested without running a replay.
 */
import * as path from "node:path"
import type { Expected, Incident, Run } from "../incidents.ts"
import type { Summary } from "./Example.ts"

/** One run the demo made, as it saw it. */
export interface Result {
  readonly incident: Incident
  readonly run: Run
  /** The run's summary line, if it printed one. */
  readonly summary: Summary | undefined
  /** The code the process really exited with (`null` if a signal ended it). */
  readonly code: number | null
}

/** Why a run is not what the list expects of it, or `undefined` when it is. */
export const deviation = (expected: Expected, result: Pick<Result, "summary" | "code">): string | undefined => {
  const { code, summary } = result
  if (summary === undefined) return `printed no summary line (process exit ${code})`
  const problems: Array<string> = []
  if (summary.outcome !== expected.outcome || summary.exitCode !== expected.exitCode) {
    problems.push(
      `expected ${expected.outcome} with exit ${expected.exitCode}, got ${summary.outcome} with exit ${summary.exitCode}`
    )
  }
  if (code !== summary.exitCode) problems.push(`its summary says exit ${summary.exitCode}, the process exited ${code}`)
  return problems.length === 0 ? undefined : problems.join("; ")
}

/** The runs that deviate, each with its reason. */
export const deviations = (results: ReadonlyArray<Result>): ReadonlyArray<string> =>
  results.flatMap((r) => {
    const why = deviation(r.run.expected, r)
    return why === undefined ? [] : [`${r.incident.name} ${r.run.label}: ${why}`]
  })

const outcomeCell = (result: Result | undefined): string => {
  if (result === undefined) return "—"
  const got = result.summary?.outcome ?? "no summary"
  return deviation(result.run.expected, result) === undefined
    ? got
    : `${got} ✗ (expected ${result.run.expected.outcome})`
}

const pair = (a: Result | undefined, b: Result | undefined, f: (s: Summary) => string): string =>
  [a, b].map((r) => (r?.summary === undefined ? "—" : f(r.summary))).join(" / ")

/**
 * The demo's table: per incident a row with its naive and Lifeline runs, then a row per variant; wall
 * time, exit code and peak memory of both; and whether every run in the row is what the list expects.
 */
export const table = (results: ReadonlyArray<Result>): string => {
  const rows: Array<{ readonly label: string; readonly naive?: Result; readonly lifeline?: Result }> = []
  for (const result of results) {
    const { incident, run } = result
    const label = run.label === "naive" || run.label === "lifeline"
      ? `${incident.seed} ${incident.name}`
      : `${incident.seed} ${incident.name} ${run.args.join(" ")}`
    let row = rows.find((r) => r.label === label)
    if (row === undefined) rows.push(row = { label })
    rows[rows.indexOf(row)] = { ...row, [run.mode]: result }
  }
  const header = ["incident", "naive", "lifeline", "wall time", "exit code", "peak RSS MiB", "judged"]
  const body = rows.map((row) => {
    const judged = [row.naive, row.lifeline].every((r) => r === undefined || deviation(r.run.expected, r) === undefined)
    return [
      row.label,
      outcomeCell(row.naive),
      outcomeCell(row.lifeline),
      pair(row.naive, row.lifeline, (s) => `${(s.wallMs / 1000).toFixed(1)} s`),
      pair(row.naive, row.lifeline, (s) => String(s.exitCode)),
      pair(row.naive, row.lifeline, (s) => String(s.peakRssMb)),
      judged ? "as expected" : "DEVIATES"
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |"
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...body.map(line)].join("\n")
}

/** `--json`: the summary lines of the runs, one per line, as the examples printed them. */
export const jsonLines = (results: ReadonlyArray<Result>): string =>
  results.flatMap((r) => (r.summary === undefined ? [] : [JSON.stringify(r.summary)])).join("\n")

/** The line that says which replays are not written yet. */
export const toComeLines = (incidents: ReadonlyArray<Incident>): ReadonlyArray<string> =>
  incidents.map((i) =>
    `still to come: ${i.name} (${i.seed}: ${i.title}; ${i.packages.map((p) => `@lifeline/${p}`).join(", ")})`
  )

/** Where a run is in the demo: the `index`-th (from 1) of `total`. */
export interface Position {
  readonly index: number
  readonly total: number
}

/** A run as the progress lines name it: incident, label, and the mode with its arguments when they say more. */
export const runName = (incident: Incident, run: Run): string =>
  run.label === run.mode
    ? `${incident.name} ${run.label}`
    : `${incident.name} ${run.label} (${run.mode}: ${run.args.join(" ")})`

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/**
 * The live line of a terminal, redrawn in place while a run goes on: which run of how many, which incident and
 * mode, and for how long it has been running. Cut to `columns`, so it never wraps (a wrapped line cannot be
 * redrawn in place).
 */
export const liveLine = (at: Position, incident: Incident, run: Run, elapsedMs: number, columns: number): string => {
  const frame = spinner[Math.floor(elapsedMs / 100) % spinner.length]!
  const line = `${frame} [${at.index}/${at.total}] ${runName(incident, run)} · ${seconds(elapsedMs)}`
  // A terminal that does not say its width (0, as under `script`) is taken to be 80 columns wide.
  const width = Math.max(20, (columns > 0 ? columns : 80) - 1)
  return [...line].length <= width ? line : [...line].slice(0, width - 1).join("") + "…"
}

/** The line a run starts with where nothing can be redrawn (CI, a pipe). */
export const startLine = (at: Position, incident: Incident, run: Run): string =>
  `[${at.index}/${at.total}] ${runName(incident, run)}: running`

/** The line a run ends with, on a terminal and off it: how it ended, and whether that is what the list expects. */
export const doneLine = (at: Position, result: Result, wallMs: number): string => {
  const why = deviation(result.run.expected, result)
  const got = `${result.summary?.outcome ?? "no summary"}, exit ${result.code}, ${seconds(wallMs)}`
  return `${why === undefined ? "✓" : "✗"} [${at.index}/${at.total}] ${runName(result.incident, result.run)}: ${got}` +
    (why === undefined ? "" : ` — DEVIATES: ${why}`)
}

/** Where `pnpm demo --record` keeps the recording of a run: one file per run, named by its label. */
export const recordingFile = (dir: string, incident: Incident, run: Run): string =>
  path.join(dir, incident.name, `${run.label}.json`)
