/**
 * What both modes share: the slow API's delay and the job's output, from `--mb <n>` (MiB, default 128) and
 * `--seed <n>` (chunking, default 7). The job validates them; a bad value ends it before it connects.
 */
import type { Args } from "../shared/Example.ts"

/** Every call to the log API takes this long, like the slow remote of the incident. */
export const apiDelay = "2 seconds"

export const MiB = 1024 * 1024

export interface JobOptions {
  readonly megabytes: string
  readonly seed: string
}

/** Passed to the job as they were given: the job is the one that says what it accepts. */
export const jobOptions = (args: Args): JobOptions => ({
  megabytes: typeof args["mb"] === "string" ? args["mb"] : "128",
  seed: typeof args["seed"] === "string" ? args["seed"] : "7"
})
