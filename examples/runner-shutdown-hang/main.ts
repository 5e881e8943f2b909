/**
 * Replay of runner-shutdown-hang: a runner finishes its work, then hangs at shutdown because its log sink
 * waits for a stream loop that is blocked behind a control plane that stopped reading.
 *
 * `--naive` (`naive.ts`): the sink of the incident; the watchdog ends the run and reports `hung`.
 * default (`lifeline.ts`): `DualWriteLogger` over a `Shipper`; the run exits 0 within the flush deadline and
 * reports how many remote entries it dropped, while stdout keeps every line.
 *
 * Options: `--workloads <n>` (default 10000: enough log volume to fill the loopback socket buffers).
 */
import { main } from "../shared/Example.ts"
import * as Judge from "./judge.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"
import * as Replay from "./replay.ts"

main({
  name: "runner-shutdown-hang",
  naive: Naive.run,
  lifeline: Lifeline.run,
  judge: { naive: Judge.naive, lifeline: Judge.lifeline },
  watchdog: {
    naive: { afterMs: Replay.watchdogMs, outcome: "hung" },
    lifeline: { afterMs: Replay.watchdogMs, outcome: "hung" }
  }
})
