/**
 * The load generator with Lifeline: the same three tasks, written as plain loops that fail only for real
 * reasons, under `Main.run`. Being stopped is interruption, never an error: a SIGTERM or `runFor` (`--duration`)
 * interrupts the program, the finalizer prints the final stats, and the policy maps an interruption-only end to
 * exit 0. A real failure — an endpoint that refuses connections — still wins over the interruptions it causes in
 * the other tasks, and exits 1 at once.
 */
import { Main } from "@lifeline/exit"
import { Duration, Effect, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import type { ExitSummary, LifelineFigures } from "./judge.ts"
import * as LoadGen from "./loadgen.ts"
import * as Replay from "./replay.ts"

// #region load-test
export const loadTest = (endpoint: string): Effect.Effect<void, LoadGen.SendFailed> =>
  Effect.gen(function* () {
    const stats = LoadGen.makeStats()
    // Runs however the load test ends: SIGTERM, runFor, or a real failure.
    yield* Effect.addFinalizer(() => LoadGen.printFinalStats(stats))
    yield* Effect.log(LoadGen.startedMessage)
    // The first real failure interrupts the other tasks; a stop interrupts them all, and is no error.
    yield* Effect.all([
      LoadGen.dispatcher(endpoint, stats),
      LoadGen.statsLogger(stats),
      LoadGen.blockCollector(endpoint, stats)
    ], { concurrency: "unbounded", discard: true })
  }).pipe(Effect.scoped)
// #endregion load-test

/** The container's process: `Main.run` is its whole boundary, and chooses its exit code. */
export const container = (settings: Replay.Settings): void => {
  // #region boundary
  Main.run(loadTest(settings.endpoint), {
    // --duration: the run ends itself before the Job's deadline, and that is a success (exit 0, reason "duration")
    runFor: settings.durationMs === undefined ? undefined : Duration.millis(settings.durationMs),
    // after SIGTERM or runFor, the finalizers get 2 s (below the pod's terminationGracePeriodSeconds); then exit 124
    gracePeriod: Replay.gracePeriod
  })
  // #endregion boundary
}

/** `Main.run`'s last words on stderr: its summary line. */
export const exitSummaryOf = (stderr: string): ExitSummary | undefined => {
  for (const line of stderr.split("\n").reverse()) {
    if (!line.startsWith(`{"event":"exit"`)) continue
    try {
      const summary: unknown = JSON.parse(line)
      if (typeof summary === "object" && summary !== null && "code" in summary && "reason" in summary) {
        return summary as ExitSummary
      }
    } catch {
      // not the summary
    }
  }
  return undefined
}

export const run = (ctx: Context<LifelineFigures>): Effect.Effect<LifelineFigures, unknown, Scope.Scope> =>
  Effect.map(Replay.run("lifeline", ctx), ({ figures, stderr }) => {
    const exitSummary = exitSummaryOf(stderr)
    return exitSummary === undefined ? figures : { ...figures, exitSummary }
  })
