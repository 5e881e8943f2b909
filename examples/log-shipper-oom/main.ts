/**
 * Replay of log-shipper-oom: a job writes its log output at full speed while the log API takes 2 s per call.
 *
 * `--naive` (`naive.ts`): unbounded buffering, shipping inside the drain loop; memory climbs until the
 * watchdog stops the run (`oom`), and the API receives lines the job never wrote.
 * default (`lifeline.ts`): `LineBuffer` → `Shipper`; peak RSS stays under the documented bound, the final
 * flush ends within its deadline, and the API finds every line it got real or a flagged prefix of one.
 *
 * Options: `--mb <n>` job output in MiB (default 128), `--seed <n>` chunking seed (default 7).
 */
import { main } from "../shared/Example.ts"
import * as Judge from "./judge.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"
import * as Replay from "./replay.ts"

main({
  name: "log-shipper-oom",
  naive: Naive.run,
  lifeline: Lifeline.run,
  judge: { naive: Judge.naive, lifeline: Judge.lifeline },
  watchdog: Replay.watchdog
})
