/**
 * Replay of incident 000: a runner finishes its work, then hangs at shutdown because its log sink waits
 * for a stream loop that is blocked behind a control plane that stopped reading.
 *
 * `--naive`: the sink of the incident (see `naiveSink.ts`); the watchdog ends the run and reports `hung`.
 * default: Lifeline's `DualWriteLogger` over a `Shipper`; the run exits 0 within the flush deadline and
 * reports how many remote entries it dropped, while stdout keeps every line.
 *
 * Options: `--workloads <n>` (default 10000: enough log volume to fill the loopback socket buffers).
 */
import { FaultServer } from "@lifeline/fault"
import { DualWriteLogger, Shipper } from "@lifeline/queue"
import { Duration, Effect, Logger, Schedule, type Scope } from "effect"
import { main } from "../shared/Example.ts"
import * as Job from "./job.ts"
import * as LogStream from "./logStream.ts"
import * as NaiveSink from "./naiveSink.ts"

/**
 * Records, every 100 ms, how far the remote stream has got: bytes the kernel accepted, entries still
 * waiting, and how long the stream has made no progress.
 */
const watchProgress = (
  stream: LogStream.LogStream,
  pending: () => number,
  record: (figures: Record<string, unknown>) => void
): Effect.Effect<void, never, Scope.Scope> => {
  let lastBytes = -1
  let lastProgress = performance.now()
  return Effect.sync(() => {
    const bytes = stream.bytesWritten()
    const now = performance.now()
    if (bytes !== lastBytes) {
      lastBytes = bytes
      lastProgress = now
    }
    record({
      remoteBytesAccepted: bytes,
      remotePending: pending(),
      remoteStalledMs: Math.round(now - lastProgress)
    })
  }).pipe(
    Effect.repeat(Schedule.spaced("100 millis")),
    Effect.asVoid,
    Effect.forkScoped,
    Effect.asVoid
  )
}

const sendTimeout = Duration.seconds(1)
const flushTimeout = Duration.seconds(2)
// `Deadline.within`'s default grace: how long an abandoned send may take to be interrupted.
const grace = Duration.seconds(1)

const workloadsOf = (args: Readonly<Record<string, string | true>>): number =>
  typeof args["workloads"] === "string" ? Number(args["workloads"]) : 10_000

main({
  name: "runner-shutdown-hang",
  naive: (ctx) =>
    Effect.gen(function* () {
      const workloads = workloadsOf(ctx.args)
      const controlPlane = yield* FaultServer.blackhole()
      const stream = yield* LogStream.open(controlPlane.port)
      let pending = () => 0
      // Forked before the sink, so it is stopped after the sink's stop: it keeps reporting while that hangs.
      yield* watchProgress(stream, () => pending(), ctx.record)
      const sink = yield* NaiveSink.make(stream)
      pending = sink.pending
      const started = performance.now()
      yield* Job.run(workloads).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, sink.logger))
      )
      ctx.record({
        linesLogged: workloads + 2,
        completedAfterMs: Math.round(performance.now() - started)
      })
      // Returning closes the scope: the sink's stop waits for its stream loop, which never finishes.
      return { outcome: "ok" as const }
    }),
  lifeline: (ctx) =>
    Effect.gen(function* () {
      const workloads = workloadsOf(ctx.args)
      const controlPlane = yield* FaultServer.blackhole()
      const stream = yield* LogStream.open(controlPlane.port)
      let completedAt = 0
      const started = performance.now()
      const stats = yield* Effect.gen(function* () {
        const shipper = yield* Shipper.make({
          send: (batch: ReadonlyArray<string>) => stream.send(batch.join("")),
          capacity: 2_000,
          maxBatch: 200,
          linger: "20 millis",
          sendTimeout,
          flushTimeout,
          name: "control-plane"
        })
        const logger = DualWriteLogger.layer({
          shipper,
          format: (options) => Logger.jsonLogger.log(options) + "\n"
        })
        yield* Job.run(workloads).pipe(Effect.provide(logger))
        completedAt = performance.now()
        return shipper
        // Closing this scope is the shutdown: the shipper stops intake and flushes within `flushTimeout`.
      }).pipe(Effect.scoped, Effect.flatMap(Shipper.stats))
      const shutdownMs = Math.round(performance.now() - completedAt)
      const limitMs = Duration.toMillis(flushTimeout) +
        Duration.toMillis(grace)
      return {
        outcome: shutdownMs <= limitMs ? "ok" as const : "hung" as const,
        figures: {
          linesLogged: workloads + 2,
          completedAfterMs: Math.round(completedAt - started),
          shutdownMs,
          flushTimeoutMs: Duration.toMillis(flushTimeout),
          remoteShipped: stats.shipped,
          remoteDropped: stats.rejected + stats.dropped,
          remoteRejected: stats.rejected,
          remoteDroppedAtShutdown: stats.droppedAtShutdown,
          remoteBytesAccepted: stream.bytesWritten()
        }
      }
    }),
  watchdog: {
    naive: { afterMs: 15_000, outcome: "hung" },
    lifeline: { afterMs: 15_000, outcome: "hung" }
  }
})
