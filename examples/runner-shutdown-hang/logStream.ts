/**
 * The runner's log stream to its control plane: one TCP connection carrying newline-delimited JSON
 * entries, as a gRPC client stream carries `LogEntry` messages.
 *
 * `send` has the back-pressure of a real stream: it completes when the kernel has taken the bytes. When
 * the peer stops reading, the kernel buffers fill, `drain` never comes and `send` never completes — the
 * way `stream.Send` blocks on an exhausted flow-control window. The wait is interruptible, so whoever
 * bounds it (a deadline) really gets its fiber back.
 */
import { FaultServer } from "@lifeline/fault"
import { Effect, Schedule, type Scope } from "effect"
import * as Net from "node:net"
import * as Environment from "../shared/Environment.ts"

export interface LogStream {
  /** Writes `bytes`; completes once the kernel has accepted them. */
  readonly send: (bytes: string) => Effect.Effect<void, Error>
  /** Bytes the kernel has accepted so far. */
  readonly bytesWritten: () => number
}

const awaitDrain = (socket: Net.Socket): Effect.Effect<void, Error> =>
  Effect.async<void, Error>((resume) => {
    const onDrain = () => done(Effect.void)
    const onClose = () => done(Effect.fail(new Error("log stream closed")))
    const done = (result: Effect.Effect<void, Error>) => {
      socket.off("drain", onDrain)
      socket.off("close", onClose)
      resume(result)
    }
    socket.on("drain", onDrain)
    socket.on("close", onClose)
    return Effect.sync(() => {
      socket.off("drain", onDrain)
      socket.off("close", onClose)
    })
  })

/** Opens the stream to `port`; closing the scope destroys the socket whatever is still queued on it. */
export const open = (
  port: number
): Effect.Effect<LogStream, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Net.Socket, Error>((resume) => {
      const socket = Net.connect({ host: "127.0.0.1", port })
      socket.once("connect", () => resume(Effect.succeed(socket)))
      socket.once("error", (error) => resume(Effect.fail(error)))
    }),
    (socket) => Effect.sync(() => socket.destroy())
  ).pipe(
    Effect.map((socket): LogStream => {
      socket.on("error", () => {})
      return {
        send: (bytes) =>
          Effect.gen(function* () {
            // Wait for room first, so an abandoned send leaves at most one write queued in memory.
            if (socket.writableNeedDrain) yield* awaitDrain(socket)
            if (!socket.write(bytes)) yield* awaitDrain(socket)
          }),
        bytesWritten: () => socket.bytesWritten - socket.writableLength
      }
    })
  )

/**
 * The incident's environment: a control plane that accepts the stream and never reads it
 * (`FaultServer.blackhole()`), and the runner's stream to it.
 */
export const toStalledControlPlane: Effect.Effect<LogStream, Environment.EnvironmentError, Scope.Scope> = Effect
  .gen(function* () {
    const controlPlane = yield* FaultServer.blackhole()
    return yield* open(controlPlane.port)
  }).pipe(Environment.ready({ part: "the control plane's log stream", within: "10 seconds" }))

export interface Progress {
  /** Bytes the kernel accepted so far. */
  readonly remoteBytesAccepted: number
  /** Entries logged and not yet handed to the stream. */
  readonly remotePending: number
  /** How long the stream has accepted nothing. */
  readonly remoteStalledMs: number
}

/** Reports, every 100 ms for the life of the scope, how far the stream has got. */
export const watchProgress = (
  stream: LogStream,
  pending: () => number,
  report: (progress: Progress) => void
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
    report({ remoteBytesAccepted: bytes, remotePending: pending(), remoteStalledMs: Math.round(now - lastProgress) })
  }).pipe(Effect.repeat(Schedule.spaced("100 millis")), Effect.forkScoped, Effect.asVoid)
}
