/**
 * `pnpm demo [example…] [--json]`: runs every incident replay of `examples/incidents.ts` both ways —
 * `--naive`, which reproduces the incident, then the Lifeline fix — plus the variants the list names, and
 * prints one table (with `--json`, the runs' summary lines instead). Each run is judged by its outcome and
 * its exit code against the list; the demo exits 1 when any run deviates, 2 on an unknown example. Needs
 * nothing but the repo.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { type Incident, incidents, runsOf, toCome } from "../examples/incidents.ts"
import * as Demo from "../examples/shared/Demo.ts"
import { examplesDir, runExample } from "../examples/shared/Spawn.ts"

const argv = process.argv.slice(2)
const json = argv.includes("--json")
const unknownFlags = argv.filter((a) => a.startsWith("-") && a !== "--json")
const wanted = argv.filter((a) => !a.startsWith("-"))
const unknown = wanted.filter((w) => !incidents.some((i) => i.name === w))
if (unknown.length > 0 || unknownFlags.length > 0) {
  console.error(
    `unknown ${unknown.length > 0 ? `example: ${unknown.join(", ")}` : `option: ${unknownFlags.join(", ")}`}` +
      ` (usage: pnpm demo [${incidents.map((i) => i.name).join("|")}…] [--json])`
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

const results: Array<Demo.Result> = []
for (const incident of ready) {
  for (const run of runsOf(incident)) {
    process.stderr.write(`running ${incident.name} ${run.label}… `)
    const done = await runExample(incident.name, run.args, { killAfterMs: 180_000 })
    const result: Demo.Result = { incident, run, summary: done.summary, code: done.code }
    results.push(result)
    const why = Demo.deviation(run.expected, result)
    process.stderr.write(
      `${done.summary?.outcome ?? "no summary"}, exit ${done.code}, in ${done.wallMs} ms` +
        (why === undefined ? "\n" : ` — DEVIATES: ${why}\n`)
    )
    if (done.summary === undefined || done.summary.outcome === "crashed") {
      process.stderr.write(done.stderr.split("\n").slice(-20).join("\n") + "\n")
    }
  }
}

const later = toCome().filter((i) => chosen.includes(i))
const deviations = Demo.deviations(results)
if (json) {
  if (results.length > 0) console.log(Demo.jsonLines(results))
  for (const line of [...Demo.toComeLines(later), ...deviations.map((d) => `deviation: ${d}`)]) console.error(line)
} else {
  console.log("")
  if (results.length > 0) console.log(Demo.table(results))
  for (const line of Demo.toComeLines(later)) console.log(line)
  for (const d of deviations) console.log(`deviation: ${d}`)
}
process.exitCode = deviations.length === 0 ? 0 : 1
