/**
 * Reads the controller's durable output back once every runner is reaped, as an operator's log query would
 * (`| logfmt | message="death log captured"`), and compares what it finds with what each runner really wrote
 * (`runner.ts` says, line by line). The same audit for both modes: what it finds is the run's figures.
 *
 * Every output line must parse as one logfmt entry. A record is an Error entry whose message is exactly
 * `death log captured`, attributed to a runner by the `pod` of its `tags`; its `lines` (JSON text) hold the
 * runner's last lines as the record keeps them — escaped as a JSON string body is, quotes left as they are — so
 * the audit unescapes each one and compares it with the line the runner wrote at that position.
 */
import type { End, PodReport } from "./controller.ts"
import type { RunnerFigures, TrailFigures } from "./judge.ts"
import * as Replay from "./replay.ts"
import * as Runner from "./runner.ts"

const pair = /([^\s=]+)=("(?:[^"\\]|\\.)*"|[^\s"=]*)/y

/** The fields of one logfmt line (quoted values unquoted), or `undefined` if the line is not one entry. */
export const parseEntry = (line: string): Readonly<Record<string, string>> | undefined => {
  const fields: Record<string, string> = {}
  let at = 0
  try {
    while (at < line.length) {
      pair.lastIndex = at
      const match = pair.exec(line)
      if (match === null) return undefined
      const raw = match[2]!
      fields[match[1]!] = raw.startsWith('"') ? JSON.parse(raw) as string : raw
      at = pair.lastIndex
      if (at < line.length && line[at++] !== " ") return undefined
    }
  } catch {
    return undefined
  }
  return "timestamp" in fields && "level" in fields && "message" in fields ? fields : undefined
}

/** A line as the runner wrote it, from the escaped text a record holds (`undefined` if it is not such text). */
export const unescape = (text: string): string | undefined => {
  try {
    return JSON.parse(`"${text.replaceAll('"', '\\"')}"`) as string
  } catch {
    return undefined
  }
}

// What no log line should carry raw: C0 controls but the tab, DEL and C1 controls, line and paragraph
// separators, bidirectional overrides and isolates.
// deno-lint-ignore no-control-regex
const control = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

interface Found {
  readonly pod: string | undefined
  readonly lines: ReadonlyArray<string>
  readonly droppedLines: number
}

const json = (text: string | undefined): unknown => {
  try {
    return JSON.parse(text ?? "null")
  } catch {
    return null
  }
}

const recordOf = (fields: Readonly<Record<string, string>>): Found => {
  const tags = json(fields["tags"])
  const lines = json(fields["lines"])
  const pod = typeof tags === "object" && tags !== null && "pod" in tags && typeof tags.pod === "string"
    ? tags.pod
    : undefined
  return {
    pod,
    lines: Array.isArray(lines) ? lines.map(String) : [],
    droppedLines: Number(fields["droppedLines"] ?? 0)
  }
}

const describeEnd = (end: End): string => end.signal !== null ? `signal ${end.signal}` : `exit ${end.exitCode}`

const runnerFigures = <S extends End>(report: PodReport<S>, records: ReadonlyArray<Found>): RunnerFigures => {
  const { fate, pod } = report.runner
  const written = Runner.trailOf(pod, fate)
  const planned = Runner.plannedEnd(fate)
  const mine = records.filter((r) => r.pod === pod)
  const first = mine[0]
  const kept = first?.lines ?? []
  const lines = kept.map(unescape)
  const offset = first?.droppedLines ?? 0
  return {
    pod,
    fate,
    abnormal: Runner.abnormal(fate),
    ended: describeEnd(report.status),
    endedAsPlanned: report.status.exitCode === planned.exitCode && report.status.signal === planned.signal,
    linesWritten: written.length,
    observations: report.observations,
    reapedAfterMs: report.reapedAfterMs,
    records: mine.length,
    linesRecovered: kept.length,
    bytesRecovered: kept.reduce((sum, line) => sum + Buffer.byteLength(line, "utf8"), 0),
    lastLineMatched: lines.length > 0 && offset + lines.length === written.length &&
      lines.at(-1) === written.at(-1),
    unwrittenLines: lines.filter((line, i) => line !== written[offset + i]).length,
    hostileLinesRecovered: lines.filter((line) => line !== undefined && Runner.hostileLines.includes(line)).length
  }
}

/** The figures of a run: the controller's output lines, read back against the pods' reports. */
export const read = <S extends End>(
  output: ReadonlyArray<string>,
  reports: ReadonlyArray<PodReport<S>>
): TrailFigures => {
  const entries = output.map(parseEntry)
  const records = entries.flatMap((fields) =>
    fields !== undefined && fields["level"] === "ERROR" && fields["message"] === "death log captured"
      ? [recordOf(fields)]
      : []
  )
  const pods = new Set(reports.map((r) => r.runner.pod))
  return {
    runners: reports.map((report) => runnerFigures(report, records)),
    outputLines: output.length,
    unparsableLines: entries.filter((fields) => fields === undefined).length,
    rawControlChars: output.reduce((sum, line) => sum + (line.match(control)?.length ?? 0), 0),
    records: records.length,
    strayRecords: records.filter((r) => r.pod === undefined || !pods.has(r.pod)).length,
    tailMaxLines: Replay.tailMaxLines,
    tailMaxBytes: Replay.tailMaxBytes
  }
}
