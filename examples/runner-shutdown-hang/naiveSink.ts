/**
 * The dual-write log sink as the incident had it, rebuilt with Effect pieces.
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
import type { LogStream } from "./logStream.ts"

const End = Symbol("End")

export interface NaiveSink {
  readonly logger: Logger.Logger<unknown, void>
  /** Entries logged but not yet handed to the stream. */
  readonly pending: () => number
}

export const make = (
  stream: LogStream
): Effect.Effect<NaiveSink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const buffer = yield* Queue.unbounded<string | typeof End>()
    const channel = yield* Queue.bounded<string>(1)

    yield* Queue.take(channel).pipe(
      Effect.flatMap(stream.send),
      Effect.forever,
      Effect.ignore,
      Effect.forkScoped
    )
    const streamLoop = yield* Effect.gen(function* () {
      while (true) {
        const entry = yield* Queue.take(buffer)
        if (entry === End) return
        yield* Queue.offer(channel, entry)
      }
    }).pipe(Effect.forkScoped)

    yield* Effect.addFinalizer(() => Queue.offer(buffer, End).pipe(Effect.zipRight(Fiber.join(streamLoop))))

    const logger = Logger.make<unknown, void>((options) => {
      process.stdout.write(Logger.logfmtLogger.log(options) + "\n")
      Queue.unsafeOffer(buffer, Logger.jsonLogger.log(options) + "\n")
    })
    return { logger, pending: () => Effect.runSync(Queue.size(buffer)) }
  })
