/**
 * What a run of log-shipper-oom reports, and how its outcome follows from that. A run ended by its memory
 * watchdog is `oom` without being judged; a run that ends by itself is judged here.
 */
import type { Outcome } from "../incidents.ts"
import type { Measured } from "../shared/Example.ts"

export interface NaiveFigures {
  /** Bytes of the job's output the runner has read. */
  readonly jobBytesRead: number
  /** Output waiting in the runner's unbounded buffer. */
  readonly pendingMb: number
  /** Lines split off and still waiting for their requests. */
  readonly unshippedLines: number
  readonly requestsCompleted: number
  /** Lines the log API received, and how many of them the job never wrote. */
  readonly linesReceived: number
  readonly fabricatedLines: number
  /** The first fabricated line, shortened. */
  readonly firstFabricated: string | null
}

export interface LifelineFigures {
  readonly jobMb: number
  readonly jobLines: number
  readonly longLinesWritten: number
  /** Resident memory when the mode started, before the log path existed. */
  readonly baselineRssMb: number
  /** Worst-case bytes the log path retains: the formula of its options. */
  readonly retainedBoundMb: number
  /** What a collected heap carries between collections, which no option changes. */
  readonly gcHeadroomMb: number
  readonly startupPeakRssMb: number
  /** `baselineRssMb + gcHeadroomMb + retainedBoundMb`: the peak the run must stay under. */
  readonly rssBoundMb: number
  /** From the job's end to the shipper's scope closed. */
  readonly flushMs: number
  readonly flushTimeoutMs: number
  /** `flushTimeoutMs` plus the deadline's grace: the longest the flush may take. */
  readonly flushLimitMs: number
  readonly bufferDroppedLines: number
  readonly bufferTruncatedLines: number
  readonly shipperAccepted: number
  readonly shipperRejected: number
  readonly shipped: number
  readonly shipperDropped: number
  readonly linesReceived: number
  readonly exactLines: number
  readonly truncatedPrefixes: number
  readonly fabricatedLines: number
}

/** The naive runner, had it ended by itself: did the API get lines the job never wrote? */
export const naive = (figures: NaiveFigures & Measured): Outcome =>
  figures.fabricatedLines > 0 ? "fabricated-lines" : "ok"

/** The Lifeline runner: no fabricated line, peak memory under the formula, the flush within its limit. */
export const lifeline = (figures: LifelineFigures & Measured): Outcome =>
  figures.fabricatedLines > 0
    ? "fabricated-lines"
    : figures.peakRssMb > figures.rssBoundMb
    ? "oom"
    : figures.flushMs > figures.flushLimitMs
    ? "hung"
    : "ok"
