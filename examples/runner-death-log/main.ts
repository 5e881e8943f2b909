/**
 * Replay of runner-death-log: a controller runs three CI runners as child processes. One is SIGKILLed mid-job,
 * one exits 1, one exits 0 although its job's tests failed. The controller's reconcile loop observes every end
 * more than once (the watch event, then each list), and reaps a finished pod a moment later, which deletes what
 * the node kept of its output.
 *
 * `--naive` (`naive.ts`): the runners' output lives only in their container logs; the reap deletes them and the
 * controller's own log says how each runner ended, never why (`lost-logs`).
 * default (`lifeline.ts`): `DeathLog.spawn` and `DeathLog.report`: one "death log captured" record per dead runner
 * on the controller's own log, with its last lines, and nothing for the clean one.
 */
import { main } from "../shared/Example.ts"
import * as Judge from "./judge.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"

main({
  name: "runner-death-log",
  naive: Naive.run,
  lifeline: Lifeline.run,
  judge: { naive: Judge.naive, lifeline: Judge.lifeline },
  // Both modes end by themselves within a few seconds; reaching a watchdog means the replay itself hung.
  watchdog: {
    naive: { afterMs: 20_000, outcome: "hung" },
    lifeline: { afterMs: 20_000, outcome: "hung" }
  }
})
