/**
 * The controller as runner-death-log had it. It runs each runner on the node (`kubelet.ts`), where the runner's
 * stdout goes to its container log — the only copy of its trail. Its reconcile loop logs each end it observes,
 * once per observation (so the same death several times), with the exit code or signal and nothing of what the
 * runner said: the trail is left to the runner's own output, which a log collector is expected to have shipped
 * before the pod is reaped. In the incident it had not: the reap deleted the log, and with it the only record
 * of why the runner died.
 */
import { Effect, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import * as Audit from "./audit.ts"
import * as Controller from "./controller.ts"
import * as ControllerLog from "./controllerLog.ts"
import type { NaiveFigures } from "./judge.ts"
import * as Kubelet from "./kubelet.ts"
import * as Replay from "./replay.ts"

// #region reconcile
const reconcile = ({ runner, status }: Controller.Ended<Controller.End>): Effect.Effect<void> =>
  // The controller knows how the runner ended, and nothing of why: that is on the runner's stdout, on the node.
  (status.exitCode === 0 ? Effect.logInfo("runner finished") : Effect.logWarning("runner ended abnormally")).pipe(
    Effect.annotateLogs({ pod: runner.pod, pool: Replay.pool, exitCode: status.exitCode, signal: status.signal })
  )
// #endregion reconcile

export const run = (ctx: Context<NaiveFigures>): Effect.Effect<NaiveFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const log = ControllerLog.make()
    const kubelet = yield* Kubelet.make
    const reaped: Record<string, number> = {}
    const reports = yield* Controller.run({
      start: Replay.recordLives(ctx, kubelet.run),
      reconcile,
      // The reap deletes the pod, and the node its container log.
      discard: (runner) =>
        Effect.map(kubelet.deletePod(runner), (lines) => {
          reaped[runner.pod] = lines
          ctx.event("reaped", { pod: runner.pod, containerLogLines: lines })
        })
    }).pipe(Effect.provide(log.layer))
    return {
      ...Audit.read(log.lines(), reports),
      containerLogLinesReaped: reaped,
      containerLogsLeft: kubelet.logsLeft()
    }
  })
