/**
 * What a run of runner-shutdown-hang reports, and how its outcome follows from that: a runner whose work
 * is done must be gone within the shutdown bound. A run whose shutdown never ends is `hung` by its watchdog.
 */
import type { Outcome } from "../incidents.ts"
import type { Measured } from "../shared/Example.ts"

export interface ShutdownFigures {
  /** Lines the job logged: every one must be on stdout. */
  readonly linesLogged: number
  /** From the start to "execution completed". */
  readonly completedAfterMs: number
  /** From "execution completed" to the runner's scope closed. */
  readonly shutdownMs: number
  readonly shutdownLimitMs: number
}

export interface NaiveFigures extends ShutdownFigures {
  /** Bytes the kernel accepted on the log stream. */
  readonly remoteBytesAccepted: number
  /** Entries logged and not yet handed to the stream. */
  readonly remotePending: number
  /** How long the stream has accepted nothing. */
  readonly remoteStalledMs: number
}

export interface LifelineFigures extends ShutdownFigures {
  readonly flushTimeoutMs: number
  readonly remoteShipped: number
  /** Every remote copy not shipped: refused by the full queue, dropped after a failed send, or at shutdown. */
  readonly remoteDropped: number
  readonly remoteRejected: number
  readonly remoteDroppedAtShutdown: number
  readonly remoteBytesAccepted: number
}

export const shutdown = (figures: ShutdownFigures & Measured): Outcome =>
  figures.shutdownMs <= figures.shutdownLimitMs ? "ok" : "hung"

export const naive: (figures: NaiveFigures & Measured) => Outcome = shutdown
export const lifeline: (figures: LifelineFigures & Measured) => Outcome = shutdown
