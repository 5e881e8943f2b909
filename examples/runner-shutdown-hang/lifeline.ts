/**
 * The runner with Lifeline: `DualWriteLogger` writes every line to stdout at once and offers a copy to a
 * `Shipper`, whose queue never blocks (a full queue refuses and counts), whose sends each have a deadline,
 * and whose scope close — the shutdown — ships what is left within `flushTimeout`, then drops and counts
 * the rest. However the control plane behaves, the runner exits within the flush deadline.
 */
import { DualWriteLogger, Shipper } from "@lifeline/queue"
import { Duration, Effect, Logger, Schedule, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import * as Job from "./job.ts"
import type { LifelineFigures } from "./judge.ts"
import * as LogStream from "./logStream.ts"
import * as Replay from "./replay.ts"

export const run = (ctx: Context<LifelineFigures>): Effect.Effect<LifelineFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const workloads = Replay.workloadsOf(ctx.args)
    const stream = yield* LogStream.toStalledControlPlane
    let completedAt = 0
    const started = performance.now()
    ctx.event("execution started")
    // For the docs' chart: the entries the shipper still holds once the work is done, through the shutdown.
    let held: (() => number) | undefined
    yield* Effect.sync(() => held !== undefined && ctx.sample("remotePending", held())).pipe(
      Effect.repeat(Schedule.spaced("50 millis")),
      Effect.forkScoped
    )
    const stats = yield* Effect.gen(function* () {
      // #region fix
      const shipper = yield* Shipper.make({
        send: (batch: ReadonlyArray<string>) => stream.send(batch.join("")),
        capacity: 2_000, // a full queue refuses the line and counts it: logging never waits
        maxBatch: 200,
        linger: "20 millis",
        sendTimeout: Replay.sendTimeout, // 1 second per send, then the batch is dropped and counted
        flushTimeout: Replay.flushTimeout, // 2 seconds for the shutdown to ship what is left
        name: "control-plane"
      })
      // Every line goes to stdout first, synchronously; the remote copy is best-effort.
      const logger = DualWriteLogger.layer({ shipper, format: (options) => Logger.jsonLogger.log(options) + "\n" })
      yield* Job.run(workloads).pipe(Effect.provide(logger))
      // #endregion fix
      completedAt = performance.now()
      ctx.event("execution completed")
      held = () => {
        const now = shipper.unsafeStats()
        return now.accepted - now.shipped - now.dropped
      }
      return shipper
      // Closing this scope is the shutdown: the shipper stops intake and flushes within `flushTimeout`.
    }).pipe(Effect.scoped, Effect.flatMap(Shipper.stats))
    ctx.event("shutdown ended", { shutdownMs: Math.round(performance.now() - completedAt) })
    if (held !== undefined) ctx.sample("remotePending", held())
    return {
      linesLogged: workloads + 2,
      completedAfterMs: Math.round(completedAt - started),
      shutdownMs: Math.round(performance.now() - completedAt),
      shutdownLimitMs: Replay.shutdownLimitMs,
      flushTimeoutMs: Duration.toMillis(Replay.flushTimeout),
      remoteShipped: stats.shipped,
      remoteDropped: stats.rejected + stats.dropped,
      remoteRejected: stats.rejected,
      remoteDroppedAtShutdown: stats.droppedAtShutdown,
      remoteBytesAccepted: stream.bytesWritten()
    }
  })
