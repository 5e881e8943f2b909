/**
 * `pnpm demo [example…]`: runs every incident replay in `examples/` both ways — `--naive`, which reproduces
 * the incident, then the Lifeline fix — and prints one table. Needs nothing but the repo.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { examplesDir, runExample, type Summary } from "../examples/shared/Spawn.ts"

/** The replays the product plans, in seed order; those without a folder yet are listed as still to come. */
const planned = [
  [
    "runner-shutdown-hang",
    "000: runner hangs at shutdown behind a stalled log stream"
  ],
  [
    "patrol-loop-stall",
    "001: patrol loop stalls on a half-open connection, health stays green"
  ],
  ["loadgen-exit-code", "002: graceful SIGTERM and --duration end with exit 1"],
  ["runner-death-log", "003: a killed runner's last log lines vanish"],
  ["log-shipper-oom", "004: log shipping OOMs behind a slow API"]
] as const

interface Variant {
  readonly label: string
  readonly args: ReadonlyArray<string>
}

/** An example may list extra Lifeline variants in `demo.json`: `{ "variants": [{ "label", "args" }] }`. */
const variantsOf = (name: string): ReadonlyArray<Variant> => {
  const file = path.join(examplesDir, name, "demo.json")
  if (!fs.existsSync(file)) return []
  return (JSON.parse(fs.readFileSync(file, "utf8")) as {
    variants?: ReadonlyArray<Variant>
  }).variants ?? []
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"))
const available = planned.filter(([name]) => fs.existsSync(path.join(examplesDir, name, "main.ts")))
const unknown = wanted.filter((w) => !planned.some(([name]) => name === w))
if (unknown.length > 0) {
  console.error(
    `unknown example: ${unknown.join(", ")} (known: ${planned.map(([n]) => n).join(", ")})`
  )
  process.exit(2)
}
const selected = available.filter(([name]) => wanted.length === 0 || wanted.includes(name))
const missing = planned.filter(([name]) => !available.some(([n]) => n === name))
  .filter(([name]) => wanted.length === 0 || wanted.includes(name))

interface Row {
  readonly incident: string
  readonly naive: Summary | undefined
  readonly lifeline: Summary | undefined
  readonly label: string
}

const describe = (s: Summary | undefined) => s === undefined ? "no summary" : s.outcome
const rows: Array<Row> = []
for (const [name, incident] of selected) {
  const runs: Array<[string, ReadonlyArray<string>]> = [
    ["naive", ["--naive"]],
    ["lifeline", []]
  ]
  for (const v of variantsOf(name)) runs.push([v.label, v.args])
  const results: Record<string, Summary | undefined> = {}
  for (const [label, args] of runs) {
    process.stderr.write(`running ${name} ${label}… `)
    const run = await runExample(name, args, { killAfterMs: 180_000 })
    results[label] = run.summary
    process.stderr.write(`${describe(run.summary)} in ${run.wallMs} ms\n`)
    if (run.summary === undefined) {
      process.stderr.write(run.stderr.split("\n").slice(-20).join("\n") + "\n")
    }
  }
  rows.push({
    incident,
    naive: results["naive"],
    lifeline: results["lifeline"],
    label: name
  })
  for (const v of variantsOf(name)) {
    rows.push({
      incident: `  ${name} ${v.label}`,
      naive: undefined,
      lifeline: results[v.label],
      label: v.label
    })
  }
}

const both = (f: (s: Summary) => string, r: Row) =>
  `${r.naive === undefined ? "—" : f(r.naive)} / ${r.lifeline === undefined ? "—" : f(r.lifeline)}`
const header = [
  "incident",
  "naive outcome",
  "lifeline outcome",
  "wall time (naive / lifeline)",
  "exit code",
  "peak RSS MiB"
]
const body = rows.map((r) => [
  r.incident,
  r.naive === undefined ? "—" : describe(r.naive),
  describe(r.lifeline),
  both((s) => `${(s.wallMs / 1000).toFixed(1)} s`, r),
  both((s) => String(s.exitCode), r),
  both((s) => String(s.peakRssMb), r)
])
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
const line = (cells: ReadonlyArray<string>) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |"
console.log("")
console.log(line(header))
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|")
for (const b of body) console.log(line(b))
for (const [name, incident] of missing) {
  console.log(`still to come: ${name} (${incident})`)
}
const broken = rows.filter((r) => r.lifeline?.outcome !== "ok")
process.exit(broken.length === 0 ? 0 : 1)
