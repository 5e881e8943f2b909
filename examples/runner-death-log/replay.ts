/**
 * What both modes share: the runners the controller runs and how each one's job ends, the controller's
 * scaled-down clock (its resync period, the delay before a finished pod is reaped), and the bounds a record of
 * a death is held to. The modes differ only in how the controller starts a runner and what it does when it
 * sees one end.
 */
import { Effect } from "effect"
import type { Context } from "../shared/Example.ts"
import type { End } from "./controller.ts"
import { Duration } from "effect"
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

/** How long a runner the controller stops gets after SIGTERM before SIGKILL (`DeathLog.spawn`'s `killAfter`). */
export const killAfter = "2 seconds"
/** The longest the controller's stop of a runner takes: `killAfter`, then at most 1 s for the killed runner's exit. */
export const stopRunnerWithinMs = Duration.toMillis(killAfter) + 1_000

/**
 * What the controller does through the Kubernetes API, by resource, as RBAC verbs: the least its Role grants
 * (`k8s/rbac.yaml`). The pool runs a pod per runner, sees each end (the watch, then each list) and reaps finished
 * pods; the death log reads a dead runner's last lines (`pods/log`) before the reap deletes them.
 */
export const controllerAccess: Readonly<Record<string, ReadonlyArray<string>>> = {
  pods: ["create", "delete", "list", "watch"],
  "pods/log": ["get"]
}

/** The most a record of a death holds: the incident's fix kept 200 lines / 64 KiB of a dead runner. */
export const tailMaxLines = 200
export const tailMaxBytes = 64 * 1024

/** `start`, recording each runner's life for the docs' charts: when it started, and when and how it ended. */
export const recordLives = <F, S extends End, E, R>(
  ctx: Context<F>,
  start: (runner: Runner) => Effect.Effect<S, E, R>
) =>
(runner: Runner): Effect.Effect<S, E, R> =>
  Effect.sync(() => ctx.event("runner started", { pod: runner.pod, fate: runner.fate })).pipe(
    Effect.zipRight(start(runner)),
    Effect.tap((end) =>
      Effect.sync(() => ctx.event("runner ended", { pod: runner.pod, exitCode: end.exitCode, signal: end.signal }))
    )
  )
