/**
 * What a run of runner-death-log reports, and how its outcome follows from that. Both modes are judged by the
 * same rule, from what the controller's durable output holds once every runner has been reaped: each runner
 * that died has exactly one record of its last lines there, ending with the last line it wrote, within the
 * bounds; nothing else is there — no second record of a death, no record for the runner that exited 0, no line
 * the runner did not write, no output line a runner forged or broke.
 */
import type { Outcome } from "../incidents.ts"
import type { Measured } from "../shared/Example.ts"

export interface RunnerFigures {
  readonly pod: string
  /** How the replay plans the runner's job to end (`runner.ts`). */
  readonly fate: "killed" | "crashed" | "tests-failed"
  /** Whether that end is a death the controller must report: a signal or a non-zero exit code. */
  readonly abnormal: boolean
  /** How it ended, as its parent saw it: `signal SIGKILL`, `exit 1`, `exit 0`. */
  readonly ended: string
  readonly endedAsPlanned: boolean
  readonly linesWritten: number
  /** How many times the controller observed its end: the watch event, then every list until the reap. */
  readonly observations: number
  /** From its end to its reap, when what the node kept of its output was deleted. */
  readonly reapedAfterMs: number
  /** "death log captured" entries for its pod in the controller's output. */
  readonly records: number
  /** Lines of its trail in the first such record, and their bytes (UTF-8, as the record holds them). */
  readonly linesRecovered: number
  readonly bytesRecovered: number
  /** Whether the record ends with the last line the runner wrote. */
  readonly lastLineMatched: boolean
  /** Lines of the record that are not the line the runner wrote at that position. */
  readonly unwrittenLines: number
  /** The workflow's hostile lines found in the record, as data. */
  readonly hostileLinesRecovered: number
}

export interface TrailFigures {
  readonly runners: ReadonlyArray<RunnerFigures>
  /** Lines of the controller's output, every one of which must be one log entry. */
  readonly outputLines: number
  readonly unparsableLines: number
  /** Control characters (and line or paragraph separators, bidi overrides) in the controller's raw output. */
  readonly rawControlChars: number
  /** Every "death log captured" entry in the controller's output, and those tagged with no runner's pod. */
  readonly records: number
  readonly strayRecords: number
  readonly tailMaxLines: number
  readonly tailMaxBytes: number
}

export interface NaiveFigures extends TrailFigures {
  /** Lines each runner's container log held on the node when the reap deleted it. */
  readonly containerLogLinesReaped: Readonly<Record<string, number>>
  /** Container logs still on the node at the end. */
  readonly containerLogsLeft: number
}

export interface LifelineFigures extends TrailFigures {
  /** Reports of a death already emitted, recognised by their key and not emitted again (the package's count). */
  readonly duplicatesSuppressed: number
}

/**
 * - `crashed`: the replay did not set up what it is about — a runner did not end as planned, or an end was
 *   observed fewer than twice;
 * - `lost-logs`: a runner that died has no record, or its record does not end with the last line it wrote;
 * - `fabricated-lines`: a record too many (a second one for a death, one for the clean runner, one for no
 *   runner), a recovered line the runner did not write there, or an output line that is not one log entry or
 *   carries a raw control character;
 * - `oom`: a record over its bounds (lines or bytes): a capture that is not bounded;
 * - `ok` otherwise.
 */
export const trail = (figures: TrailFigures & Measured): Outcome => {
  const { runners } = figures
  if (runners.length === 0 || runners.some((r) => !r.endedAsPlanned || r.observations < 2)) return "crashed"
  const dead = runners.filter((r) => r.abnormal)
  if (dead.some((r) => r.records === 0 || !r.lastLineMatched)) return "lost-logs"
  if (
    runners.some((r) => r.records > (r.abnormal ? 1 : 0) || r.unwrittenLines > 0) ||
    figures.strayRecords > 0 ||
    figures.records !== dead.length ||
    figures.unparsableLines > 0 ||
    figures.rawControlChars > 0
  ) return "fabricated-lines"
  if (dead.some((r) => r.linesRecovered > figures.tailMaxLines || r.bytesRecovered > figures.tailMaxBytes)) {
    return "oom"
  }
  return "ok"
}

export const naive = (figures: NaiveFigures & Measured): Outcome => trail(figures)

/** As `trail`; and each death must have been reported again and recognised, or the replay did not show it. */
export const lifeline = (figures: LifelineFigures & Measured): Outcome => {
  const outcome = trail(figures)
  if (outcome !== "ok") return outcome
  const dead = figures.runners.filter((r) => r.abnormal).length
  return figures.duplicatesSuppressed >= dead ? "ok" : "crashed"
}
