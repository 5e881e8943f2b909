/**
 * Replay of patrol-loop-stall: an agent runner whose patrol loop stopped for hours while its health check
 * said OK. `--naive` (`naive.ts`) runs the sweeps as the incident's runner did; the default mode
 * (`lifeline.ts`) runs them under `@lifeline/supervisor`; `--wedge` adds a sweep stuck in uninterruptible
 * code. `--for <ms>` sets the observation window (default 3000).
 */
import { main } from "../shared/Example.ts"
import * as Judge from "./judge.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"

main({
  name: "patrol-loop-stall",
  naive: Naive.run,
  lifeline: Lifeline.run,
  judge: { naive: Judge.naive, lifeline: Judge.lifeline },
  // Both modes end by themselves after their window; reaching a watchdog means the replay itself hung.
  watchdog: {
    naive: { afterMs: 20_000, outcome: "hung" },
    lifeline: { afterMs: 20_000, outcome: "hung" }
  }
})
