/**
 * `pnpm bench [suite…] [--json[=file]] [--smoke]`: runs every `bench/*.bench.ts` (or the named ones) and prints
 * the comparison table and the scaling tables. Each file default-exports a `Suite`.
 *
 * `--json` prints the results as one JSON document on stdout (tables go to stderr); `--json=<file>` writes it
 * to a file as well. `bench/results.json` is the recorded run the docs draw their charts from.
 * `--smoke` runs each benchmark once at a small size: it proves every benchmark still runs, not how fast.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import {
  compare,
  measureScaling,
  type Row,
  type ScalingRow,
  scalingTable,
  smoke,
  type Suite,
  table
} from "./harness.ts"

const dir = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const wanted = args.filter((a) => !a.startsWith("-"))
const jsonArg = args.find((a) => a === "--json" || a.startsWith("--json="))
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).sort()
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, "")))
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ")}`)
  process.exit(1)
}
const say = (
  line: string
) => (jsonArg === undefined ? console.log(line) : console.error(line))

const rows: Array<Row> = []
const scaling: Array<ScalingRow> = []
for (const file of files) {
  const suite: Suite = (await import(pathToFileURL(path.join(dir, file)).href)).default
  for (const comparison of await suite.comparisons()) {
    const row = await compare(suite.name, comparison)
    console.error(
      `${suite.name} / ${row.name}: ${row.ratio.toFixed(3)}× ${row.target}`
    )
    rows.push(row)
  }
  for (const series of (await suite.scaling?.()) ?? []) {
    const row = await measureScaling(suite.name, series)
    console.error(
      `${suite.name} / ${row.name}: spread ${row.spread.toFixed(2)}×`
    )
    scaling.push(row)
  }
}

const cpus = os.cpus()
const meta = {
  date: new Date().toISOString(),
  runtime: `node ${process.version}`,
  platform: `${process.platform}/${process.arch}`,
  cpu: cpus[0]?.model.trim() ?? "unknown",
  cores: cpus.length,
  smoke
}
say(
  `\n${meta.runtime}, ${meta.platform}, ${meta.cpu} × ${meta.cores}, ${meta.date}${
    smoke ? " (smoke run: timings not meaningful)" : ""
  }`
)
say("medians of alternating runs\n")
say(table(rows))
if (scaling.length > 0) say(`\n${scalingTable(scaling)}`)
if (smoke) {
  say(
    `\nsmoke: ${rows.length} comparisons and ${scaling.length} scaling series ran`
  )
}
if (jsonArg !== undefined) {
  const document = JSON.stringify({ meta, rows, scaling }, null, 2) + "\n"
  if (jsonArg.startsWith("--json=")) {
    fs.writeFileSync(jsonArg.slice("--json=".length), document)
  }
  process.stdout.write(document)
}
process.exit(0)
