/**
 * The runner as runner-shutdown-hang had it: a dual-write log sink rebuilt with Effect pieces.
 *
 * - Every log line is written to stdout and appended to the sink's unbounded buffer (`Queue.unbounded`),
 *   so logging itself never blocks: the job runs to "execution completed" as if all were well.
 * - A stream loop fiber moves entries from that buffer into the client's channel, `Queue.bounded(1)`:
 *   the nearest Effect has to an unbuffered Go channel — `offer` suspends until the sender takes.
 * - A sender fiber takes from the channel and writes to the log stream, whose `send` waits for the
 *   kernel to accept the bytes.
 * - Stopping the sink pushes an end marker and joins the stream loop, so that "every buffered line is
 *   flushed". That join is a scope finalizer: Effect runs it uninterruptibly, with no deadline.
 *
 * When the control plane stops reading, the sender waits for a `drain` that never comes, the stream loop
 * waits on the full channel, and the finalizer waits on the stream loop: the process never exits.
 */
import { Effect, Fiber, Logger, Queue, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import * as Job from "./job.ts"
import type { NaiveFigures } from "./judge.ts"
import * as LogStream from "./logStream.ts"
import * as Replay from "./replay.ts"

const End = Symbol("End")

export interface NaiveSink {
  readonly logger: Logger.Logger<unknown, void>
  /** Entries logged but not yet handed to the stream. */
  readonly pending: () => number
}

export const makeSink = (stream: LogStream.LogStream): Effect.Effect<NaiveSink, never, Scope.Scope> =>
  Effect.gen(function* () {
    // #region sink
    const buffer = yield* Queue.unbounded<string | typeof End>() // the sink's buffer: logging never waits
    const channel = yield* Queue.bounded<string>(1) // the client's channel

    yield* Queue.take(channel).pipe(
      Effect.flatMap(stream.send), // completes when the kernel takes the bytes
      Effect.forever,
      Effect.ignore,
      Effect.forkScoped
    )
    const streamLoop = yield* Effect.gen(function* () {
      while (true) {
        const entry = yield* Queue.take(buffer)
        if (entry === End) return
        yield* Queue.offer(channel, entry) // suspends while the sender is stuck
      }
    }).pipe(Effect.forkScoped)

    // Stop: flush every buffered line. A finalizer runs uninterruptibly, and nothing bounds this join.
    yield* Effect.addFinalizer(() => Queue.offer(buffer, End).pipe(Effect.zipRight(Fiber.join(streamLoop))))
    // #endregion sink

    const logger = Logger.make<unknown, void>((options) => {
      process.stdout.write(Logger.logfmtLogger.log(options) + "\n")
      Queue.unsafeOffer(buffer, Logger.jsonLogger.log(options) + "\n")
    })
    return { logger, pending: () => Effect.runSync(Queue.size(buffer)) }
  })

export const run = (ctx: Context<NaiveFigures>): Effect.Effect<NaiveFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const workloads = Replay.workloadsOf(ctx.args)
    const stream = yield* LogStream.toStalledControlPlane
    let pending = () => 0
    let progress: LogStream.Progress = { remoteBytesAccepted: 0, remotePending: 0, remoteStalledMs: 0 }
    // In the outer scope: it keeps reporting while the sink's stop hangs.
    yield* LogStream.watchProgress(stream, () => pending(), (p) => {
      progress = p
      ctx.record(p)
      ctx.sample("remotePending", p.remotePending)
    })
    const started = performance.now()
    ctx.event("execution started")
    let completedAt = 0
    yield* Effect.gen(function* () {
      const sink = yield* makeSink(stream)
      pending = sink.pending
      yield* Job.run(workloads).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, sink.logger)))
      completedAt = performance.now()
      ctx.event("execution completed")
      ctx.record({ linesLogged: workloads + 2, completedAfterMs: Math.round(completedAt - started) })
      // Closing this scope is the shutdown: the sink's stop waits for its stream loop.
    }).pipe(Effect.scoped)
    ctx.event("shutdown ended", { shutdownMs: Math.round(performance.now() - completedAt) })
    return {
      ...progress,
      linesLogged: workloads + 2,
      completedAfterMs: Math.round(completedAt - started),
      shutdownMs: Math.round(performance.now() - completedAt),
      shutdownLimitMs: Replay.shutdownLimitMs
    }
  })
