/**
 * What both modes share: the job's size (`--workloads <n>`, default 10000: enough log volume to fill the
 * loopback socket buffers) and the shutdown bound both runners are judged by.
 */
import { Duration } from "effect"
import type { Args } from "../shared/Example.ts"

export const workloadsOf = (args: Args): number =>
  typeof args["workloads"] === "string" ? Number(args["workloads"]) : 10_000

/** How long one send to the control plane may take. */
export const sendTimeout = Duration.seconds(1)
/** How long the shutdown may spend shipping what is left. */
export const flushTimeout = Duration.seconds(2)
/** `Deadline.within`'s default grace: how long an abandoned send may take to be interrupted. */
export const grace = Duration.seconds(1)

/** The longest a runner may take to shut down once its work is done: the bound the Lifeline runner keeps. */
export const shutdownLimitMs = Duration.toMillis(flushTimeout) + Duration.toMillis(grace)

/** The replay's own time limit, in either mode: a run not over by then is ended and reported `hung`. */
export const watchdogMs = 15_000
