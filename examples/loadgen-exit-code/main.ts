/**
 * Replay of loadgen-exit-code: a load generator that exits 1 on every graceful SIGTERM, so every nightly Job is
 * marked Failed. The replay plays the kubelet: it starts the load generator as a container (a child process
 * running `container.ts`) against a loopback RPC endpoint, sends it SIGTERM 1.5 s into the load test, and judges
 * the exit code the container really ended with.
 *
 * `--naive` (`naive.ts`): background tasks turn the stop into errors, and the boundary maps any error to exit 1.
 * default (`lifeline.ts`): the same tasks under `Main.run`; exit 0 on SIGTERM and on `--duration`.
 *
 * Options: `--duration <d>` (`1500ms`, `2s`: the load generator ends itself after `d`; the kubelet's SIGTERM
 * moves to the Job's deadline), `--endpoint ok|refused` (default `ok`; `refused`: nothing listens).
 */
import { main } from "../shared/Example.ts"
import * as Judge from "./judge.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"

main({
  name: "loadgen-exit-code",
  naive: Naive.run,
  lifeline: Lifeline.run,
  judge: { naive: Judge.naive, lifeline: Judge.lifeline },
  // The kubelet ends every run (SIGTERM, then SIGKILL after 5 s); reaching a watchdog means the replay itself hung.
  watchdog: {
    naive: { afterMs: 30_000, outcome: "hung" },
    lifeline: { afterMs: 30_000, outcome: "hung" }
  }
})
