/**
 * `pnpm demo [example…] [--json] [--record[=<dir>]]`: runs every incident replay of `examples/incidents.ts` both
 * ways — `--naive`, which reproduces the incident, then the Lifeline fix — plus the variants the list names, and
 * prints one table (with `--json`, the runs' summary lines instead). Each run is judged by its outcome and its
 * exit code against the list; the demo exits 1 when any run deviates, 2 on an unknown example or option.
 *
 * On a terminal, a line redrawn in place says which run is going on and for how long; elsewhere (CI, a pipe)
 * each run gets a plain line when it starts and one when it ends. Progress goes to stderr, results to stdout.
 *
 * `--record` keeps what each run recorded (`ctx.sample`, `ctx.event`) in `docs/recordings/<example>/<label>.json`
 * (or under `<dir>`), the files the docs draw their charts from; a run that writes none deviates. Needs nothing
 * but the repo.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Incident, incidents, runsOf, toCome } from "../examples/incidents.ts"
import * as Demo from "../examples/shared/Demo.ts"
import { examplesDir, runExample } from "../examples/shared/Spawn.ts"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const usage = `usage: pnpm demo [${incidents.map((i) => i.name).join("|")}…] [--json] [--record[=<dir>]]`

const argv = process.argv.slice(2)
const json = argv.includes("--json")
const recordArg = argv.find((a) => a === "--record" || a.startsWith("--record="))
const recordTo = recordArg === "--record" ? path.join(root, "docs", "recordings") : recordArg?.slice("--record=".length)
const recordDir = recordTo === undefined || recordTo === "" ? undefined : path.resolve(recordTo)
const unknownFlags = argv.filter((a) => a.startsWith("-") && a !== "--json" && a !== recordArg || a === "--record=")
const wanted = argv.filter((a) => !a.startsWith("-"))
const unknown = wanted.filter((w) => !incidents.some((i) => i.name === w))
if (unknown.length > 0 || unknownFlags.length > 0) {
  console.error(
    `unknown ${unknown.length > 0 ? `example: ${unknown.join(", ")}` : `option: ${unknownFlags.join(", ")}`} (${usage})`
  )
  process.exit(2)
}

const chosen: ReadonlyArray<Incident> = incidents.filter((i) => wanted.length === 0 || wanted.includes(i.name))
const ready = chosen.filter((i) => i.replay === "ready")
for (const incident of ready) {
  if (!fs.existsSync(path.join(examplesDir, incident.name, "main.ts"))) {
    console.error(
      `examples/incidents.ts says ${incident.name} is ready, but examples/${incident.name}/main.ts is missing`
    )
    process.exit(2)
  }
}

// Redrawing in place needs a terminal; anything else gets plain lines it can keep.
const live = process.stderr.isTTY === true
const say = (line: string) => void process.stderr.write(line + "\n")

const planned = ready.flatMap((incident) => runsOf(incident).map((run) => ({ incident, run })))
const results: Array<Demo.Result> = []
const missingRecordings: Array<string> = []
for (const [i, { incident, run }] of planned.entries()) {
  const at: Demo.Position = { index: i + 1, total: planned.length }
  const file = recordDir === undefined ? undefined : Demo.recordingFile(recordDir, incident, run)
  if (file !== undefined) fs.rmSync(file, { force: true })
  const started = performance.now()
  let timer: ReturnType<typeof setInterval> | undefined
  if (live) {
    const draw = () =>
      process.stderr.write(
        `\r\x1b[2K${Demo.liveLine(at, incident, run, performance.now() - started, process.stderr.columns ?? 80)}`
      )
    draw()
    timer = setInterval(draw, 100)
  } else say(Demo.startLine(at, incident, run))
  const done = await runExample(incident.name, [...run.args, ...(file === undefined ? [] : ["--record", file])], {
    killAfterMs: 180_000
  }).finally(() => {
    clearInterval(timer)
    if (live) process.stderr.write("\r\x1b[2K")
  })
  const result: Demo.Result = { incident, run, summary: done.summary, code: done.code }
  results.push(result)
  say(Demo.doneLine(at, result, done.wallMs))
  if (done.summary === undefined || done.summary.outcome === "crashed") {
    say(done.stderr.split("\n").slice(-20).join("\n"))
  }
  if (file !== undefined && !fs.existsSync(file)) {
    missingRecordings.push(`${incident.name} ${run.label}: wrote no recording to ${path.relative(root, file)}`)
  }
}

const later = toCome().filter((i) => chosen.includes(i))
const deviations = [...Demo.deviations(results), ...missingRecordings]
if (json) {
  if (results.length > 0) console.log(Demo.jsonLines(results))
  for (const line of [...Demo.toComeLines(later), ...deviations.map((d) => `deviation: ${d}`)]) console.error(line)
} else {
  console.log("")
  if (results.length > 0) console.log(Demo.table(results))
  for (const line of Demo.toComeLines(later)) console.log(line)
  for (const d of deviations) console.log(`deviation: ${d}`)
}
if (recordDir !== undefined && results.length > 0) {
  say(`recordings: ${path.relative(process.cwd(), recordDir) || "."}/<example>/<label>.json`)
}
process.exitCode = deviations.length === 0 ? 0 : 1
