/**
 * Starts the job (`job.ts`) as a child process and hands every chunk of its output to `onChunk`. The output
 * comes over a loopback TCP connection the runner listens on, as a pod's output reaches a runner through an
 * exec stream. A job that dies before it connects fails the start at once, with its exit code and stderr;
 * closing the scope kills a job that is still running and closes the connection.
 */
import { Data, Deferred, Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as Net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Environment from "../shared/Environment.ts"

const jobPath = path.join(path.dirname(fileURLToPath(import.meta.url)), "job.ts")

/** The job ended abnormally after it had started. */
export class JobFailed extends Data.TaggedError("JobFailed")<{ readonly reason: string }> {
  override get message(): string {
    return `the job failed: ${this.reason}`
  }
}

export interface Produced {
  readonly lines: number
  readonly bytes: number
}

export interface RunningJob {
  /** Completes when the job has exited and its output is fully read, with the job's own count of it. */
  readonly finished: Effect.Effect<Produced, JobFailed>
  /** Bytes of output read so far. */
  readonly bytesRead: () => number
}

interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

/** How the job ended: `when` says at which point, then the start of what it wrote to stderr. */
const describe = (ended: Ended, when = ""): string =>
  `it exited with ${ended.signal === null ? `code ${ended.code}` : `signal ${ended.signal}`}${when}` +
  (ended.stderr.trim() === "" ? "" : `: ${ended.stderr.trim().slice(0, 500)}`)

/** A loopback listener whose first connection completes `connected`. */
const listen = Effect.gen(function* () {
  const connected = yield* Deferred.make<Net.Socket>()
  const { server } = yield* Effect.acquireRelease(
    Effect.async<{ readonly server: Net.Server; readonly sockets: Set<Net.Socket> }, Error>((resume) => {
      const sockets = new Set<Net.Socket>()
      const server = Net.createServer((socket) => {
        sockets.add(socket)
        socket.on("error", () => {})
        Deferred.unsafeDone(connected, Effect.succeed(socket))
      })
      server.once("error", (error) => resume(Effect.fail(error)))
      server.listen({ host: "127.0.0.1", port: 0 }, () => resume(Effect.succeed({ server, sockets })))
    }),
    ({ server, sockets }) =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
        server.close()
      })
  )
  return { port: (server.address() as Net.AddressInfo).port, connected }
})

/** The job as a child process of the scope; `ended` completes when it has exited and its stderr is read. */
const spawnJob = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const ended = yield* Deferred.make<Ended>()
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const child = spawn(process.execPath, ["--import", "tsx", jobPath, ...args], {
          stdio: ["ignore", "ignore", "pipe"]
        })
        let stderr = ""
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString("utf8")
        })
        child.once("error", (error) =>
          Deferred.unsafeDone(ended, Effect.succeed({ code: null, signal: null, stderr: String(error) })))
        child.once("close", (code, signal) =>
          Deferred.unsafeDone(ended, Effect.succeed({ code, signal, stderr })))
        return child
      }),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    return Deferred.await(ended)
  })

export const start = (options: {
  /** The job's `--mb` and `--seed`, as given: the job validates them. */
  readonly megabytes: string
  readonly seed: string
  readonly onChunk: (chunk: Uint8Array) => void
}): Effect.Effect<RunningJob, Environment.EnvironmentError, Scope.Scope> =>
  Effect.gen(function* () {
    const { connected, port } = yield* listen.pipe(
      Environment.ready({ part: "the job's listener", within: "5 seconds" })
    )
    const ended = yield* spawnJob(["--mb", options.megabytes, "--seed", options.seed, "--port", String(port)])
    const socket = yield* Deferred.await(connected).pipe(
      Environment.ready({
        part: "the job",
        within: "20 seconds",
        died: Effect.map(ended, (e) => describe(e, " before it connected"))
      })
    )
    let bytesRead = 0
    const drained = yield* Deferred.make<void>()
    socket.on("data", (chunk: Uint8Array) => {
      bytesRead += chunk.byteLength
      options.onChunk(chunk)
    })
    socket.once("close", () => Deferred.unsafeDone(drained, Effect.void))
    const finished = Effect.zipLeft(ended, Deferred.await(drained)).pipe(
      Effect.flatMap((e) => {
        const line = e.stderr.split("\n").find((l) => l.includes("job-finished"))
        return e.code === 0 && line !== undefined
          ? Effect.succeed(JSON.parse(line) as Produced)
          : Effect.fail(new JobFailed({ reason: describe(e) }))
      })
    )
    return { finished, bytesRead: () => bytesRead }
  })
