/**
 * @lifeline/exit: how long a real Node process takes to exit after SIGTERM, under `Main.run` and under Effect's
 * `NodeRuntime.runMain`: with finalizers that finish at once, and with one that never finishes (`Main.run` with
 * a 1 s grace period; `runMain` has none, so its row is capped: the process is SIGKILLed at 5 s and counted
 * as 5 s, though it would live until the kubelet's SIGKILL).
 *
 * Each measurement starts a fresh process, waits until it has said `ready` (after the boundary's listeners are
 * installed), sends SIGTERM and times the exit from the parent. The child programs are this very file,
 * bundled once by `bun build` and started with `LIFELINE_EXIT_BENCH_CHILD` naming the program.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Main } from "@lifeline/exit"
import * as Effect from "effect/Effect"
import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { smoke, type Suite } from "./harness.ts"

const GRACE_MS = 1000
const CAP_MS = smoke ? 2000 : 5000
const TOLERANCE_MS = 50

const say = (line: string) => Effect.sync(() => console.log(line))

/** The child programs; `ready` is printed once the program runs and its boundary listens for signals. */
const programs = {
  clean: Effect.gen(function* () {
    yield* Effect.addFinalizer(() => Effect.void)
    yield* Effect.sleep("20 millis") // runMain installs its listeners only after the first synchronous steps
    yield* say("ready")
    return yield* Effect.never
  }).pipe(Effect.scoped),
  hung: Effect.gen(function* () {
    yield* Effect.addFinalizer(() => Effect.never)
    yield* Effect.sleep("20 millis")
    yield* say("ready")
    return yield* Effect.never
  }).pipe(Effect.scoped)
}

type Boundary = "main" | "runMain"
type Program = keyof typeof programs

const child = process.env.LIFELINE_EXIT_BENCH_CHILD
if (child !== undefined) {
  const [boundary, program] = child.split(":") as [Boundary, Program]
  if (boundary === "main") {
    Main.run(programs[program], { gracePeriod: GRACE_MS })
  } else NodeRuntime.runMain(programs[program], { disableErrorReporting: true })
}

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")
let bundled: Promise<string> | undefined

const bundle = (): Promise<string> =>
  bundled ??= new Promise((resolve, reject) => {
    const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lifeline-exit-bench-")), "children.mjs")
    execFile(
      path.join(root, "node_modules/bun/bin/bun.exe"),
      ["build", fileURLToPath(import.meta.url), "--target=node", "--format=esm", `--outfile=${outfile}`],
      { cwd: here },
      (error, _stdout, stderr) => error ? reject(new Error(`bun build: ${stderr}`)) : resolve(outfile)
    )
  })

/** Milliseconds from SIGTERM to the process's exit, as the parent sees it; `CAP_MS` if it is still alive then. */
const sigtermToExit = async (boundary: Boundary, program: Program): Promise<number> => {
  const file = await bundle()
  const proc = spawn(process.execPath, [file], {
    env: {
      ...process.env,
      LIFELINE_EXIT_BENCH_CHILD: `${boundary}:${program}`
    },
    stdio: ["ignore", "pipe", "ignore"]
  })
  const exited = new Promise<number>((resolve) => proc.on("exit", () => resolve(performance.now())))
  await new Promise<void>((resolve, reject) => {
    let out = ""
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      if (out.includes("ready")) resolve()
    })
    void exited.then(() => reject(new Error(`${boundary}:${program} exited before it was ready`)))
  })
  const sent = performance.now()
  proc.kill("SIGTERM")
  const capped = new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), CAP_MS))
  const at = await Promise.race([exited, capped])
  if (Number.isNaN(at)) {
    proc.kill("SIGKILL")
    await exited
    return CAP_MS
  }
  return at - sent
}

const suite: Suite = {
  name: "exit",
  comparisons: () => [{
    name: "SIGTERM → process exit, finalizers that finish at once",
    unit: "ms",
    baseline: { label: "NodeRuntime.runMain", run: () => sigtermToExit("runMain", "clean") },
    subject: { label: "Main.run", run: () => sigtermToExit("main", "clean") },
    higherIsBetter: false,
    // Main.run does more on the way out (the summary line, waiting for stderr to flush it).
    target: { text: "≤ 2× (a few ms)", met: (ratio) => ratio <= 2 },
    runs: 11
  }, {
    name: `SIGTERM → process exit, a finalizer that never ends (runMain never exits: capped at ${CAP_MS / 1000} s)`,
    unit: "ms",
    baseline: {
      label: `NodeRuntime.runMain (SIGKILLed at ${CAP_MS / 1000} s)`,
      run: () => sigtermToExit("runMain", "hung")
    },
    subject: {
      label: `Main.run, gracePeriod ${GRACE_MS / 1000} s`,
      run: () => sigtermToExit("main", "hung")
    },
    higherIsBetter: false,
    target: {
      text: `subject ${GRACE_MS} ± ${TOLERANCE_MS} ms (ratio × ${CAP_MS / 1000} s)`,
      met: (ratio) => Math.abs(ratio * CAP_MS - GRACE_MS) <= TOLERANCE_MS
    },
    runs: 3
  }]
}

export default suite
