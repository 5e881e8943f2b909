/**
 * Replay of incident 004: a job writes its log output at full speed while the log API takes 2 s per call.
 *
 * `--naive`: the runner of the incident (`naive.ts`) — unbounded buffering, shipping inside the drain loop;
 * memory climbs until the watchdog stops the run (`oom`), and the API receives lines the job never wrote.
 * default: `LineBuffer` → `Shipper` (`lifeline.ts`) — peak RSS stays under the documented bound, the final
 * flush ends within its deadline, and the API checks that every line it got is real or a flagged prefix.
 *
 * Options: `--mb <n>` job output in MiB (default 128), `--seed <n>` chunking seed (default 7).
 */
import { Duration, Effect, Schedule } from "effect"
import { main } from "../shared/Example.ts"
import { longEvery } from "./job.ts"
import * as Lifeline from "./lifeline.ts"
import * as LogApi from "./logApi.ts"
import * as Naive from "./naive.ts"
import * as RunJob from "./runJob.ts"

const apiDelay = "2 seconds"
const MiB = 1024 * 1024
// The shortest line the job writes: `0 job-output ` plus 24 characters.
const shortestLineBytes = 37
// What a garbage-collected runtime carries between collections while ~100 MB/s streams through it: V8's
// young generation (two 16 MiB semi-spaces) and the pipe's read buffers, which are freed only at the next
// collection. No option of ours shrinks it; measured at 30-50 MiB on Node 20, so the bound allows 64 MiB.
const gcHeadroomMb = 64

const jobOptions = (args: Readonly<Record<string, string | true>>) => ({
  megabytes: typeof args["mb"] === "string" ? Number(args["mb"]) : 128,
  seed: typeof args["seed"] === "string" ? Number(args["seed"]) : 7
})

const rssMb = () => Math.round(process.memoryUsage.rss() / MiB)

main({
  name: "log-shipper-oom",
  naive: (ctx) =>
    Effect.gen(function* () {
      const { megabytes, seed } = jobOptions(ctx.args)
      const api = yield* LogApi.start(apiDelay)
      const path = yield* Naive.start({
        url: api.url,
        maxLineChars: 8192,
        linesPerRequest: 500
      })
      const job = yield* RunJob.start({
        megabytes,
        seed,
        onChunk: path.onChunk
      })
      const report = () => {
        const received = api.received()
        ctx.record({
          jobBytesRead: job.bytesRead(),
          pendingMb: Math.round(path.pendingBytes() / MiB),
          unshippedLines: path.unshippedLines(),
          requestsCompleted: path.requestsCompleted(),
          linesReceived: received.lines,
          fabricatedLines: received.fabricated,
          firstFabricated: received.firstFabricated
        })
      }
      yield* Effect.sync(report).pipe(
        Effect.repeat(Schedule.spaced("100 millis")),
        Effect.forkScoped
      )
      yield* job.finished
      yield* path.flush
      report()
      return {
        outcome: api.received().fabricated > 0 ? "fabricated-lines" as const : "ok" as const
      }
    }),
  lifeline: (ctx) =>
    Effect.gen(function* () {
      const { megabytes, seed } = jobOptions(ctx.args)
      const api = yield* LogApi.start(apiDelay)
      const options: Lifeline.Options = {
        url: api.url,
        lineBuffer: { maxBytes: MiB / 2, maxLineBytes: 8 * 1024 },
        capacity: 2_000,
        maxBytes: MiB,
        maxBatch: 250,
        sendTimeout: "3 seconds",
        flushTimeout: "3 seconds"
      }
      const baselineRssMb = rssMb()
      const startupPeakRssMb = ctx.peakRssMb()
      const bound = Lifeline.memoryBound(options, shortestLineBytes)
      let flushStarted = 0
      const { path, produced } = yield* Effect.gen(function* () {
        const path = yield* Lifeline.start(options)
        const job = yield* RunJob.start({
          megabytes,
          seed,
          onChunk: path.onChunk
        })
        const produced = yield* job.finished
        yield* path.finish
        flushStarted = performance.now()
        return { path, produced }
      }).pipe(Effect.scoped)
      const flushMs = Math.round(performance.now() - flushStarted)
      const shipped = yield* Effect.sync(() => path.shipper.unsafeStats())
      const buffered = path.buffer.stats()
      const received = api.received()
      const boundMb = Math.round(
        baselineRssMb + gcHeadroomMb + bound.total / MiB
      )
      const peakRssMb = ctx.peakRssMb()
      const flushLimitMs = Duration.toMillis(options.flushTimeout) + 1_000
      const outcome = received.fabricated > 0
        ? "fabricated-lines" as const
        : peakRssMb > boundMb
        ? "oom" as const
        : flushMs > flushLimitMs
        ? "hung" as const
        : "ok" as const
      return {
        outcome,
        figures: {
          jobMb: Math.round(produced.bytes / MiB),
          jobLines: produced.lines,
          longLinesWritten: Math.floor(produced.lines / longEvery),
          baselineRssMb,
          retainedBoundMb: Math.round((bound.total / MiB) * 10) / 10,
          gcHeadroomMb,
          startupPeakRssMb,
          rssBoundMb: boundMb,
          flushMs,
          flushTimeoutMs: Duration.toMillis(options.flushTimeout),
          bufferDroppedLines: buffered.droppedLines,
          bufferTruncatedLines: buffered.truncatedLines,
          shipperAccepted: shipped.accepted,
          shipperRejected: shipped.rejected,
          shipped: shipped.shipped,
          shipperDropped: shipped.dropped,
          linesReceived: received.lines,
          exactLines: received.exact,
          truncatedPrefixes: received.truncatedPrefixes,
          fabricatedLines: received.fabricated
        }
      }
    }),
  watchdog: {
    naive: { afterMs: 45_000, maxRssMb: 320, outcome: "hung" },
    lifeline: { afterMs: 60_000, outcome: "hung" }
  }
})
