/**
 * The kubelet, as far as this incident needs one: it starts the load generator's container as a real child
 * process, waits for it to say it is up, sends it SIGTERM at a fixed point of the run — unless it has exited
 * by then — then SIGKILL if it is still running after its termination grace period, and reports the exit code
 * as Kubernetes records it (the process's own code, or 128 + the signal that ended it).
 *
 * The container is its own process so that the boundary under test really ends a process: nothing in it but
 * that boundary decides its exit code, and the signals it gets are real ones. Its output is passed through to
 * the replay's own, prefixed with its name, like `kubectl logs`.
 */
import { Deferred, Effect, Exit, FiberId, Option, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as os from "node:os"
import * as Environment from "../shared/Environment.ts"
import { examplesDir } from "../shared/Spawn.ts"

export interface PodSpec {
  /** The container's name, as its output prefix and errors show it. */
  readonly name: string
  /** The script the container runs with `node --import tsx`, and its arguments. */
  readonly file: string
  readonly args: ReadonlyArray<string>
  /** The text of the stdout line that says the container is up. */
  readonly readyText: string
  /** When to send SIGTERM, counted from the ready line. */
  readonly sigtermAtMs: number
  /** How long the container may take to exit after SIGTERM before it is sent SIGKILL. */
  readonly terminationGracePeriodMs: number
  /** Told, as it happens, what the kubelet does to the container and how it exits: for a recording of the run. */
  readonly onEvent?: (name: PodEvent, data?: Readonly<Record<string, string | number | null>>) => void
  /** Told each line of the container's output. */
  readonly onLine?: (stream: "stdout" | "stderr", line: string) => void
}

/** The moments of a container's life `onEvent` hears. */
export type PodEvent = "started" | "ready" | "SIGTERM" | "SIGKILL" | "exited"

/** What the kubelet knows so far; reported as it happens, so that a run cut short still says how far it got. */
export interface Progress {
  readonly readyAfterMs?: number
  readonly sigtermSent: boolean
  readonly sigkillSent: boolean
}

export interface PodEnd extends Progress {
  /** From the start of the process to its exit. */
  readonly exitedAfterMs: number
  /** From SIGTERM to the exit, when SIGTERM was sent. */
  readonly sigtermToExitMs?: number
  /** As Kubernetes reports it: the process's exit code, or 128 + the number of the signal that ended it. */
  readonly exitCode: number
  readonly signal?: NodeJS.Signals
  readonly stdout: string
  readonly stderr: string
}

/** What is kept of each output stream for the verdict: the tail, in case a broken container floods it. */
const maxKept = 1024 * 1024

interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

interface Container {
  readonly ready: Deferred.Deferred<number>
  readonly exited: Deferred.Deferred<Exited, Environment.EnvironmentError>
  readonly exitedAt: () => number | undefined
  readonly startedAt: number
  readonly kill: (signal: NodeJS.Signals) => void
  /** SIGKILL, if it still runs: for the replay's own end. */
  readonly killNow: () => void
  readonly stdout: () => string
  readonly stderr: () => string
}

/** Passes the container's lines through to `write` with its name in front, and keeps them for the verdict. */
const relay = (name: string, write: (text: string) => void, onLine: (line: string) => void) => {
  let partial = ""
  let kept = ""
  return {
    data: (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8")
      const lines = text.split("\n")
      partial = lines.pop()!
      for (const line of lines) {
        write(`${name} | ${line}\n`)
        onLine(line)
      }
      kept = (kept + chunk.toString("utf8")).slice(-maxKept)
    },
    end: () => {
      if (partial !== "") write(`${name} | ${partial}\n`)
      partial = ""
    },
    kept: () => kept
  }
}

/**
 * Starts the container. Closing the scope kills it if it still runs; so does the replay's own exit, which
 * the harness may take without closing the scope (a watchdog): a container never outlives the replay.
 */
const start = (spec: PodSpec): Effect.Effect<Container, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync((): Container => {
      const ready = Deferred.unsafeMake<number>(FiberId.none)
      const exited = Deferred.unsafeMake<Exited, Environment.EnvironmentError>(FiberId.none)
      const startedAt = performance.now()
      let exitedAt: number | undefined
      const child = spawn(process.execPath, ["--import", "tsx", spec.file, ...spec.args], {
        cwd: examplesDir,
        stdio: ["ignore", "pipe", "pipe"]
      })
      const running = () => child.exitCode === null && child.signalCode === null
      const killNow = () => void (running() && child.kill("SIGKILL"))
      process.once("exit", killNow)
      spec.onEvent?.("started")
      const out = relay(spec.name, (text) => void process.stdout.write(text), (line) => {
        if (line.includes(spec.readyText)) Deferred.unsafeDone(ready, Exit.succeed(performance.now() - startedAt))
        spec.onLine?.("stdout", line)
      })
      const err = relay(spec.name, (text) => void process.stderr.write(text), (line) => spec.onLine?.("stderr", line))
      child.stdout.on("data", out.data)
      child.stderr.on("data", err.data)
      child.on("exit", (code, signal) => {
        exitedAt = performance.now()
        spec.onEvent?.("exited", { exitCode: exitCodeOf({ code, signal }), signal })
      })
      child.on("error", (error) =>
        Deferred.unsafeDone(
          exited,
          Exit.fail(new Environment.EnvironmentError({ part: spec.name, reason: error.message }))
        ))
      // "close": the process has exited and its output is read to the end.
      child.on("close", (code, signal) => {
        out.end()
        err.end()
        process.off("exit", killNow)
        Deferred.unsafeDone(exited, Exit.succeed({ code, signal }))
      })
      return {
        ready,
        exited,
        exitedAt: () => exitedAt,
        startedAt,
        kill: (signal: NodeJS.Signals) => void (running() && child.kill(signal)),
        stdout: out.kept,
        stderr: err.kept,
        killNow
      }
    }),
    (container) => Effect.sync(container.killNow)
  )

/** The exit code Kubernetes records for a process that ended with `code`, or by `signal`. */
export const exitCodeOf = (exited: Exited): number =>
  exited.code ?? 128 + (exited.signal === null ? 0 : os.constants.signals[exited.signal])

/** Runs the container to its end: start, SIGTERM at `sigtermAtMs` after it is up, SIGKILL after the grace period. */
export const run = (
  spec: PodSpec,
  report: (progress: Progress) => void
): Effect.Effect<PodEnd, Environment.EnvironmentError, Scope.Scope> =>
  Effect.gen(function* () {
    const container = yield* start(spec)
    let progress: Progress = { sigtermSent: false, sigkillSent: false }
    const update = (next: Partial<Progress>) => report(progress = { ...progress, ...next })
    const exited = Deferred.await(container.exited)
    /** Waits `ms` for the container to exit: true if it is still running after that. */
    const stillRunningAfter = (ms: number) =>
      Effect.raceFirst(Effect.as(exited, false), Effect.as(Effect.sleep(ms), true))

    // A container that exits before it is up (a crash at start) is reported as such, not waited for.
    const up = yield* Effect.raceFirst(
      Effect.map(Deferred.await(container.ready), Option.some),
      Effect.as(exited, Option.none<number>())
    ).pipe(
      Environment.ready({ part: spec.name, within: "20 seconds" })
    )
    let sigtermAt: number | undefined
    if (Option.isSome(up)) {
      update({ readyAfterMs: Math.round(up.value) })
      spec.onEvent?.("ready")
      if (yield* stillRunningAfter(spec.sigtermAtMs)) {
        sigtermAt = performance.now()
        container.kill("SIGTERM")
        spec.onEvent?.("SIGTERM")
        update({ sigtermSent: true })
        yield* Effect.log(`kubelet: SIGTERM sent to ${spec.name}`)
        if (yield* stillRunningAfter(spec.terminationGracePeriodMs)) {
          container.kill("SIGKILL")
          spec.onEvent?.("SIGKILL")
          update({ sigkillSent: true })
          yield* Effect.log(`kubelet: ${spec.name} still running after its termination grace period: SIGKILL`)
        }
      }
    }
    const end = yield* exited
    const exitedAt = container.exitedAt() ?? performance.now()
    const exitCode = exitCodeOf(end)
    yield* Effect.log(`kubelet: ${spec.name} exited with code ${exitCode}`)
    return {
      ...progress,
      exitedAfterMs: Math.round(exitedAt - container.startedAt),
      ...(sigtermAt === undefined ? {} : { sigtermToExitMs: Math.round(exitedAt - sigtermAt) }),
      exitCode,
      ...(end.signal === null ? {} : { signal: end.signal }),
      stdout: container.stdout(),
      stderr: container.stderr()
    }
  })
