/**
 * The node, as far as the naive controller needs one: it runs each runner as its pod's container, with the
 * container's stdout and stderr going to a log file on the node — as the container runtime writes
 * `/var/log/pods/<pod>/…` — reports how the container ended, and deletes that file when the pod is deleted.
 *
 * That file is the only copy of the runner's output. The runner writes to it directly (it is the child's
 * stdout), so the controller never holds the output, and once the reap deletes the pod it is gone.
 */
import { Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { EnvironmentError } from "../shared/Environment.ts"
import type { End } from "./controller.ts"
import type * as Replay from "./replay.ts"
import * as Runner from "./runner.ts"

export interface Kubelet {
  /** Runs the pod's runner to its end, its output into the container log. */
  readonly run: (runner: Replay.Runner) => Effect.Effect<End, EnvironmentError>
  /** Deletes the pod's container log, as the pod's deletion does; returns the lines it held. */
  readonly deletePod: (runner: Replay.Runner) => Effect.Effect<number>
  /** Container logs still on the node. */
  readonly logsLeft: () => number
}

const countLines = (file: string): number => {
  const bytes = fs.readFileSync(file)
  let lines = 0
  for (const byte of bytes) if (byte === 0x0a) lines++
  return lines
}

/** A node whose container logs live in a fresh temporary directory, removed when the scope closes. */
export const make: Effect.Effect<Kubelet, never, Scope.Scope> = Effect.gen(function* () {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "runner-death-log-pods-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const logOf = (runner: Replay.Runner) => path.join(dir, `${runner.pod}.log`)

  const run = (runner: Replay.Runner): Effect.Effect<End, EnvironmentError> =>
    Effect.async<End, EnvironmentError>((resume) => {
      const fd = fs.openSync(logOf(runner), "a")
      const child = spawn(process.execPath, [...Runner.argv(runner.pod, runner.fate)], {
        stdio: ["ignore", fd, fd]
      })
      fs.closeSync(fd)
      child.once(
        "error",
        (error) =>
          resume(Effect.fail(new EnvironmentError({ part: `the runner of ${runner.pod}`, reason: error.message })))
      )
      child.once("exit", (exitCode, signal) => resume(Effect.succeed({ exitCode, signal })))
      // An interrupted run (the replay is ending early) takes its runner with it.
      return Effect.sync(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      })
    })

  const deletePod = (runner: Replay.Runner): Effect.Effect<number> =>
    Effect.sync(() => {
      const file = logOf(runner)
      const lines = fs.existsSync(file) ? countLines(file) : 0
      fs.rmSync(file, { force: true })
      return lines
    })

  return { run, deletePod, logsLeft: () => fs.readdirSync(dir).length }
})
