/**
 * What both modes share: the runners the controller runs and how each one's job ends, the controller's
 * scaled-down clock (its resync period, the delay before a finished pod is reaped), and the bounds a record of
 * a death is held to. The modes differ only in how the controller starts a runner and what it does when it
 * sees one end.
 */
import type { Fate } from "./runner.ts"

export interface Runner {
  /** The pod the runner runs in: the name the controller's records are tagged with. */
  readonly pod: string
  readonly fate: Fate
}

/** The runner pool, as the incident's `tuist-linux-large`. */
export const pool = "linux-large"

/** One runner killed mid-job, one that exits 1, and one whose job's tests fail while it exits 0. */
export const runners: ReadonlyArray<Runner> = [
  { pod: "linux-large-1", fate: "killed" },
  { pod: "linux-large-2", fate: "crashed" },
  { pod: "linux-large-3", fate: "tests-failed" }
]

/** How often the pool reconcile lists the pods: each list observes every finished pod again. */
export const resyncEvery = "100 millis"

/**
 * How long a finished pod stays before the pool reconcile reaps it, which deletes whatever the node kept of its
 * output. The incident's was about a minute, against a log collector that did not reliably get there first.
 */
export const reapAfterMs = 300

/** The most a record of a death holds: the incident's fix kept 200 lines / 64 KiB of a dead runner. */
export const tailMaxLines = 200
export const tailMaxBytes = 64 * 1024
