/**
 * What a run of patrol-loop-stall reports, and how its outcome follows from that: the loop is judged at the
 * end of its observation window by whether it still makes progress, and under `--wedge` by whether
 * `/healthz` said so once it could not.
 */
import type { Outcome } from "../incidents.ts"
import type { Measured } from "../shared/Example.ts"
import type { Stage } from "./tally.ts"

/** What the probe saw: how many answers of each status (`"200"`, `"503"`, `"timeout"`, `"error"`). */
export type StatusCounts = Readonly<Record<string, number>>

/** Both modes: the sweeps of the window, what `/healthz` answered, what the alert API saw. */
export interface SweepFigures {
  readonly everyMs: number
  readonly windowMs: number
  /** Ticks that fell inside the window, each with a full period to finish its sweep. */
  readonly sweepsScheduled: number
  readonly sweepsStarted: number
  /** Sweeps that ended, however. */
  readonly sweepsCompleted: number
  readonly completedRatio: number
  readonly sweepsSucceeded: number
  readonly ticksWithoutSweep: number
  readonly sweepsTimedOut: number
  readonly sweepsFailed: number
  readonly defects: number
  /** The loop made no progress at the end of the window. */
  readonly stalled: boolean
  /** When stalled: since when, in which stage a sweep is stuck (if one is), and for how long. */
  readonly stalledSinceMs?: number
  readonly stuckStage?: Stage | "none"
  readonly stuckForMs?: number
  readonly healthz: StatusCounts
  /** When stalled: what the probe saw from one stall period after progress stopped. */
  readonly healthzWhileStalled?: StatusCounts
  readonly alertApi: { readonly requests: number; readonly unanswered: number }
}

export type NaiveFigures = SweepFigures

/** Under `--wedge`: when the wedge began, and when `/healthz` first said 503 after it. */
export interface WedgeFigures {
  readonly atMs: number | null
  readonly first503Ms: number | null
  readonly first503AfterMs: number | null
  readonly healthzAfter: StatusCounts
}

export interface LifelineFigures extends SweepFigures {
  /** The supervisor's own report at the end of the window. */
  readonly supervisor: {
    readonly healthy: boolean
    readonly state: string | null
    readonly missedTicks: number | null
    readonly lastFailure: string | null
  }
  /** Present under `--wedge`. */
  readonly wedge?: WedgeFigures
}

/** The share of scheduled sweeps a loop must complete to count as making progress. */
export const minCompletedRatio = 0.75

/** A loop is `ok` when it is not stalled at the end of its window and completed most scheduled sweeps. */
export const sweeps = (figures: SweepFigures & Measured): Outcome =>
  !figures.stalled && figures.completedRatio >= minCompletedRatio ? "ok" : "stalled"

export const naive = (figures: NaiveFigures & Measured): Outcome => sweeps(figures)

/**
 * The Lifeline runner is judged like the naive one; under `--wedge`, where the loop is meant to be stuck,
 * by whether `/healthz` turned 503 after the wedge (a probe that kept getting 200 is the incident again).
 */
export const lifeline = (figures: LifelineFigures & Measured): Outcome =>
  figures.wedge === undefined ? sweeps(figures) : figures.wedge.first503AfterMs !== null ? "ok" : "stalled"
