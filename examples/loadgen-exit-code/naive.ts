/**
 * The load generator as loadgen-exit-code had it, rebuilt with Effect pieces:
 *
 * - The run has a context: done once, with why. The SIGTERM handler cancels it ("context canceled": SIGTERM is
 *   graceful), and `--duration` times it out ("context deadline exceeded", Go's `context.WithTimeout`).
 * - Each background task races its loop against the context and, once it is done, fails with it — Go's
 *   `case <-ctx.Done(): return ctx.Err()`. Being stopped becomes an error in the E channel.
 * - The tasks run as a group, `Effect.all` (Go's errgroup): the first error is the group's error.
 * - The boundary maps any failure to a fatal log line and exit 1 (`log.Fatal`).
 *
 * So the run that did everything right — sent its load, printed its final stats — exits 1 on every SIGTERM and
 * at the end of every `--duration`, and the Job is marked Failed.
 */
import { Cause, Data, Deferred, Effect, Exit, FiberId, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import type { NaiveFigures } from "./judge.ts"
import * as LoadGen from "./loadgen.ts"
import * as Replay from "./replay.ts"

/** A task that stopped because its context was done, named as Go wraps it: "dispatcher: context canceled". */
export class TaskStopped extends Data.TaggedError("TaskStopped")<{ readonly task: string; readonly reason: string }> {
  override get message(): string {
    return `${this.task}: ${this.reason}`
  }
}

// #region context
/** The run's context: done once, with why (Go's `ctx.Done()` and `ctx.Err()`). */
export interface RunContext {
  readonly done: Effect.Effect<string>
  readonly cancel: (reason: string) => void
}

export const makeContext = (): RunContext => {
  const done = Deferred.unsafeMake<string>(FiberId.none)
  return { done: Deferred.await(done), cancel: (reason) => void Deferred.unsafeDone(done, Exit.succeed(reason)) }
}

/** A background task: its loop until the context is done, then `return ctx.Err()` — the stop, as an error. */
const background = <E>(task: string, ctx: RunContext, loop: Effect.Effect<never, E>) =>
  Effect.raceFirst(loop, Effect.flatMap(ctx.done, (reason) => Effect.fail(new TaskStopped({ task, reason }))))
// #endregion context

// #region load-test
export const loadTest = (endpoint: string, ctx: RunContext): Effect.Effect<void, LoadGen.SendFailed | TaskStopped> =>
  Effect.gen(function* () {
    const stats = LoadGen.makeStats()
    yield* Effect.addFinalizer(() => LoadGen.printFinalStats(stats))
    yield* Effect.log(LoadGen.startedMessage)
    // errgroup: the first error of any task is the group's error
    yield* Effect.all([
      background("dispatcher", ctx, LoadGen.dispatcher(endpoint, stats)),
      background("stats logger", ctx, LoadGen.statsLogger(stats)),
      background("block collector", ctx, LoadGen.blockCollector(endpoint, stats))
    ], { concurrency: "unbounded", discard: true })
  }).pipe(Effect.scoped)
// #endregion load-test

/** The container's process: the boundary of the incident around the load test. */
export const container = (settings: Replay.Settings): void => {
  // #region boundary
  const ctx = makeContext()
  process.on("SIGTERM", () => ctx.cancel("context canceled")) // the handler says: SIGTERM is graceful
  process.on("SIGINT", () => ctx.cancel("context canceled"))
  if (settings.durationMs !== undefined) {
    setTimeout(() => ctx.cancel("context deadline exceeded"), settings.durationMs) // context.WithTimeout
  }
  Effect.runPromiseExit(loadTest(settings.endpoint, ctx)).then((exit) => {
    if (Exit.isSuccess(exit)) return process.exit(0)
    // log.Fatal(err): whatever the error, it is fatal, and the exit code is 1
    const error = Cause.squash(exit.cause)
    process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`, () => process.exit(1))
  })
  // #endregion boundary
}

/** The naive boundary's last words on stderr: the error of its fatal line. */
export const fatalOf = (stderr: string): string | undefined =>
  stderr.split("\n").reverse().find((line) => line.startsWith("fatal: "))?.slice("fatal: ".length)

export const run = (ctx: Context<NaiveFigures>): Effect.Effect<NaiveFigures, unknown, Scope.Scope> =>
  Effect.map(Replay.run("naive", ctx), ({ figures, stderr }) => {
    const fatal = fatalOf(stderr)
    return fatal === undefined ? figures : { ...figures, fatal }
  })
