import { Metrics } from "@lifeline/deadline"
import type * as api from "../Supervisor.ts"

export const runsTotal = Metrics.counter(
  "lifeline_supervisor_runs_total",
  "Runs of periodic children and ends of keep-alive children, by outcome"
)

export const missedTicksTotal = Metrics.counter(
  "lifeline_supervisor_missed_ticks_total",
  "Ticks of periodic children that got no run because a run overran them"
)

export const restartsTotal = Metrics.counter("lifeline_supervisor_restarts_total", "Restarts of keep-alive children")

export const escalationsTotal = Metrics.counter(
  "lifeline_supervisor_escalations_total",
  "Supervisors stopped because restart intensity was exceeded"
)

export const abandonedTotal = Metrics.counter(
  "lifeline_supervisor_abandoned_total",
  "Children still running at stopTimeout, left behind when a supervisor stopped"
)

/** How a periodic run or a keep-alive incarnation ended: the `outcome` tag, a fixed set. */
export type Outcome = "success" | api.FailureKind

/** The series of one child, bound once when it is registered, so that a run updates them without allocating. */
export interface ChildSeries {
  readonly runs: Readonly<Record<Outcome, Metrics.Bound<number>>>
  readonly missedTicks: Metrics.Bound<number>
  readonly restarts: Metrics.Bound<number>
}

export const childSeries = (supervisor: string, child: string): ChildSeries => {
  const runs = (outcome: Outcome) => Metrics.bind(runsTotal, { supervisor, child, outcome })
  return {
    runs: {
      success: runs("success"),
      failure: runs("failure"),
      defect: runs("defect"),
      timeout: runs("timeout"),
      interrupted: runs("interrupted")
    },
    missedTicks: Metrics.bind(missedTicksTotal, { supervisor, child }),
    restarts: Metrics.bind(restartsTotal, { supervisor, child })
  }
}

export interface SupervisorSeries {
  readonly escalations: Metrics.Bound<number>
  readonly abandoned: Metrics.Bound<number>
}

export const supervisorSeries = (supervisor: string): SupervisorSeries => ({
  escalations: Metrics.bind(escalationsTotal, { supervisor }),
  abandoned: Metrics.bind(abandonedTotal, { supervisor })
})
