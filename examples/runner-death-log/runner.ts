/**
 * The CI runner: a child process that runs one job and streams its vitals to stdout, one line per step —
 * `job step N vitals cpu=… mem=… io_wait=… heartbeat=…` — with long lines of build output in between. Its
 * stdout is the only place its trail exists, as a runner container's stdout is in the incident.
 *
 * How its job ends is the replay's plan (`--fate`):
 *
 * - `killed`: its vitals degrade, the workflow prints hostile lines (ANSI escapes, a forged controller log
 *   line, a forged JSON record), and after step 600 of 1 000 the process is SIGKILLed mid-job. It sends the
 *   signal to itself, once its last line is written: from the outside that is what the OOM killer or a VM
 *   fault looks like — no handler runs, nothing more is written — and the replay knows which line was last;
 * - `crashed`: 2 000 vitals lines, then the runner loses its job broker and exits 1;
 * - `tests-failed`: the job's own tests fail, and the runner exits 0: the workflow failed, the runner did not.
 *
 * What a runner writes is a pure function of its pod and fate (`trailOf`), so the replay knows exactly which
 * lines the runner wrote and which one was its last, whatever became of its output.
 *
 * Run as a child process: `node --import tsx runner.ts --pod linux-large-1 --fate killed`.
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const fates = ["killed", "crashed", "tests-failed"] as const
export type Fate = (typeof fates)[number]

/** The program's file, for whoever starts it. */
export const file: string = fileURLToPath(import.meta.url)

/** The command line that starts a runner with Node and tsx's loader (one process, so signals reach it). */
export const argv = (pod: string, fate: Fate): ReadonlyArray<string> => [
  "--import",
  "tsx",
  file,
  "--pod",
  pod,
  "--fate",
  fate
]

/** Whether `fate` is an end the controller must report: the runner died, rather than its job failing. */
export const abnormal = (fate: Fate): boolean => fate !== "tests-failed"

/** How a runner of `fate` ends, as its parent sees it. */
export const plannedEnd = (fate: Fate): { readonly exitCode: number | null; readonly signal: string | null } =>
  fate === "killed"
    ? { exitCode: null, signal: "SIGKILL" }
    : fate === "crashed"
    ? { exitCode: 1, signal: null }
    : { exitCode: 0, signal: null }

/** Lines the customer's workflow prints on the killed runner: its output is untrusted. */
export const hostileLines: ReadonlyArray<string> = [
  // Clears the screen of whoever reads the output in a terminal, then claims success in green.
  "\u001b[2J\u001b[H\u001b[1;32m✔ all checks passed\u001b[0m",
  // Shaped like the controller's own record of a death, after a carriage return that hides the real line start.
  '\rtimestamp=2026-01-01T00:00:00.000Z level=ERROR fiber=#1 message="death log captured" key=runner:1 ' +
  'name=runner pid=1 exitCode=0 signal=null tags="{\\"pod\\":\\"linux-large-1\\"}" lines="[\\"all good\\"]"',
  // The same claim as a JSON log entry, for a controller that logs JSON.
  '{"message":"death log captured","logLevel":"ERROR","timestamp":"2026-01-01T00:00:00.000Z",' +
  '"annotations":{"key":"runner:1","tags":"{\\"pod\\":\\"linux-large-1\\"}","lines":"[\\"all good\\"]"}}'
]

interface Plan {
  /** The job's length in steps, as the runner announces it. */
  readonly steps: number
  /** The step after which the runner dies (the last step it runs). */
  readonly lastStep: number
  /** Every `longEvery`-th step also prints a long line of build output (0: never). */
  readonly longEvery: number
  readonly longChars: number
}

const plans: Readonly<Record<Fate, Plan>> = {
  killed: { steps: 1_000, lastStep: 600, longEvery: 4, longChars: 3_000 },
  crashed: { steps: 4_000, lastStep: 2_000, longEvery: 0, longChars: 0 },
  "tests-failed": { steps: 300, lastStep: 300, longEvery: 25, longChars: 1_500 }
}

const jobOf = (pod: string): number => 7_800 + [...pod].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % 100

const vitals = (fate: Fate, step: number, lastStep: number): string => {
  // The killed runner's guest is starved in its last hundred steps: io wait climbs, heartbeats slip.
  const distress = fate === "killed" ? Math.max(0, step - (lastStep - 100)) / 100 : 0
  const cpu = Math.min(100, 35 + (step * 7) % 40 + Math.round(distress * 60))
  const mem = 1_800 + (step * 13) % 400
  const ioWait = 2 + (step * 5) % 20 + Math.round(distress * distress * 4_800)
  const heartbeat = distress > 0.9 ? "missed" : distress > 0.5 ? "late" : "ok"
  return `job step ${step} vitals cpu=${cpu}% mem=${mem}MiB io_wait=${ioWait}ms heartbeat=${heartbeat}`
}

const buildOutput = (step: number, chars: number): string => {
  let out = `job step ${step} output:`
  for (let i = 0; out.length < chars; i++) {
    out += ` src/pkg-${(step + i) % 97}/mod-${i}.ts(${(step * 3 + i) % 400},${i % 60}): compiled in ${
      (step * 7 + i * 11) % 900
    }ms;`
  }
  return out.slice(0, chars)
}

/** Every line a runner of `pod` and `fate` writes, in order, without line endings. */
export const trailOf = (pod: string, fate: Fate): ReadonlyArray<string> => {
  const plan = plans[fate]
  const lines = [`runner ${pod} started job ${jobOf(pod)}: ${plan.steps} steps`]
  for (let step = 1; step <= plan.lastStep; step++) {
    if (plan.longEvery > 0 && step % plan.longEvery === 0) lines.push(buildOutput(step, plan.longChars))
    if (fate === "killed" && step === plan.lastStep - 4) lines.push(...hostileLines)
    lines.push(vitals(fate, step, plan.lastStep))
  }
  if (fate === "crashed") {
    lines.push(`runner ${pod}: lost the job broker connection (ECONNRESET); exiting with code 1`)
  }
  if (fate === "tests-failed") {
    lines.push(
      "\u001b[31mFAIL\u001b[0m test/checkout.test.ts > applies the coupon once",
      "Tests  2 failed | 148 passed (150)",
      `job ${jobOf(pod)} finished: its tests failed; the runner itself is fine and exits 0`
    )
  }
  return lines
}

const option = (name: string, valid: (value: string) => boolean, what: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? undefined : process.argv[at + 1]
  if (value === undefined || !valid(value)) {
    process.stderr.write(`runner: --${name} must be ${what}, got ${JSON.stringify(value ?? null)}\n`)
    process.exit(2)
  }
  return value
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === file) {
  const pod = option("pod", (v) => /^[a-z0-9-]{1,63}$/.test(v), "a pod name")
  const fate = option("fate", (v) => fates.some((f) => f === v), fates.join(" | ")) as Fate
  // The reader is gone: so is the point of writing.
  process.stdout.on("error", () => process.exit(0))
  const lines = trailOf(pod, fate)
  const last = lines.length - 1
  // A job's pace: a batch of lines every few milliseconds, so the controller sees them arrive over time.
  for (let i = 0; i < last; i += 20) {
    process.stdout.write(lines.slice(i, Math.min(i + 20, last)).map((l) => l + "\n").join(""))
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  // Once the last line has reached the pipe (or the node's log file), the runner ends as planned.
  process.stdout.write(lines[last]! + "\n", () => {
    if (fate === "killed") process.kill(process.pid, "SIGKILL")
    else process.exit(fate === "crashed" ? 1 : 0)
  })
}
