/**
 * Starts the job (`job.ts`) as a child process and hands every chunk of its output to `onChunk`. The output
 * comes over a loopback TCP connection the runner listens on, as a pod's output reaches a runner through an
 * exec stream. Closing the scope kills a job that is still running and closes the connection.
 */
import { Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as Net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const jobPath = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "job.ts"
)

export interface RunningJob {
  /** Completes when the job has exited and its output is fully read; the job's own count of what it wrote. */
  readonly finished: Effect.Effect<
    { readonly lines: number; readonly bytes: number },
    Error
  >
  /** Bytes of output read so far. */
  readonly bytesRead: () => number
}

interface Listener {
  readonly server: Net.Server
  readonly port: number
  readonly sockets: Set<Net.Socket>
}

const listen = Effect.acquireRelease(
  Effect.async<Listener>((resume) => {
    const sockets = new Set<Net.Socket>()
    const server = Net.createServer()
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("error", () => {})
    })
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      resume(
        Effect.succeed({
          server,
          port: (server.address() as Net.AddressInfo).port,
          sockets
        })
      )
    })
  }),
  ({ server, sockets }) =>
    Effect.sync(() => {
      for (const socket of sockets) socket.destroy()
      server.close()
    })
)

export const start = (options: {
  readonly megabytes: number
  readonly seed: number
  readonly onChunk: (chunk: Uint8Array) => void
}): Effect.Effect<RunningJob, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { port, server } = yield* listen
    let bytesRead = 0
    const drained = new Promise<void>((resolve) => {
      server.once("connection", (socket) => {
        socket.on("data", (chunk: Uint8Array) => {
          bytesRead += chunk.byteLength
          options.onChunk(chunk)
        })
        socket.once("close", () => resolve())
      })
    })
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            jobPath,
            "--mb",
            String(options.megabytes),
            "--seed",
            String(options.seed),
            "--port",
            String(port)
          ],
          { stdio: ["ignore", "ignore", "pipe"] }
        )
      ),
      (child) =>
        Effect.sync(() =>
          child.exitCode === null && child.signalCode === null &&
          child.kill("SIGKILL")
        )
    )
    let report = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      report += chunk.toString("utf8")
    })
    const exited = new Promise<{ lines: number; bytes: number } | Error>(
      (resolve) => {
        child.once("close", (code, signal) => {
          const line = report.split("\n").find((l) => l.includes("job-finished"))
          if (code !== 0 || line === undefined) {
            resolve(
              new Error(
                `job ended with code ${code} signal ${signal}: ${report.slice(0, 500)}`
              )
            )
          } else resolve(JSON.parse(line))
        })
      }
    )
    const finished = Effect.promise(() => Promise.all([exited, drained])).pipe(
      Effect.flatMap(([result]) => result instanceof Error ? Effect.fail(result) : Effect.succeed(result))
    )
    return { finished, bytesRead: () => bytesRead }
  })
