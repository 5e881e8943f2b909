/**
 * Replay of patrol-loop-stall: an agent runner whose patrol loop stopped for hours while its health check
 * said OK. `--naive` (`naive.ts`) runs the sweeps as the incident's runner did; the default mode
 * (`lifeline.ts`) runs them under `@lifeline/supervisor`; `--wedge` adds a sweep stuck in uninterruptible
 * code. `--for <ms>` sets the observation window (default 3000); `--listen <host>:<port>` where `/healthz` (and
 * `/metrics`) are served (default `127.0.0.1:0`).
 */
import { main, parseArgs } from "../shared/Example.ts"
import * as Judge from "./judge.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"
import * as Replay from "./replay.ts"

const afterMs = Replay.watchdogMs(parseArgs(process.argv.slice(2)))

main({
  name: "patrol-loop-stall",
  naive: Naive.run,
  lifeline: Lifeline.run,
  judge: { naive: Judge.naive, lifeline: Judge.lifeline },
  // Both modes end by themselves after their window; reaching a watchdog means the replay itself hung.
  watchdog: {
    naive: { afterMs, outcome: "hung" },
    lifeline: { afterMs, outcome: "hung" }
  }
})
