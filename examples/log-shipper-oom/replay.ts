/**
 * What both modes share: the slow API's delay and the job's output, from `--mb <n>` (MiB, default 128) and
 * `--seed <n>` (chunking, default 7). The job validates them; a bad value ends it before it connects.
 */
import type { Args, Watchdog } from "../shared/Example.ts"

/** Every call to the log API takes this long, like the slow remote of the incident. */
export const apiDelay = "2 seconds"

export const MiB = 1024 * 1024

/**
 * The replay's limits: the naive run is ended as `oom` past 320 MiB of resident memory (a container's memory
 * limit, and what its OOM killer does), and either run that has not ended by itself is ended and reported `hung`.
 */
export const watchdog: { readonly naive: Watchdog; readonly lifeline: Watchdog } = {
  naive: { afterMs: 45_000, maxRssMb: 320, outcome: "hung" },
  lifeline: { afterMs: 60_000, outcome: "hung" }
}

export interface JobOptions {
  readonly megabytes: string
  readonly seed: string
}

/** Passed to the job as they were given: the job is the one that says what it accepts. */
export const jobOptions = (args: Args): JobOptions => ({
  megabytes: typeof args["mb"] === "string" ? args["mb"] : "128",
  seed: typeof args["seed"] === "string" ? args["seed"] : "7"
})
