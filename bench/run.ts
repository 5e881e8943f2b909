/**
 * `pnpm bench [suite…]`: runs every `bench/*.bench.ts` (or the named ones) and prints one table of ratios.
 * Each file default-exports a `Suite`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { compare, type Row, type Suite, table } from "./harness.ts"

const dir = path.dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"))
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).sort()
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, "")))
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ")}`)
  process.exit(1)
}
const rows: Array<Row> = []
for (const file of files) {
  const suite: Suite = (await import(pathToFileURL(path.join(dir, file)).href)).default
  for (const comparison of await suite.comparisons()) {
    const row = await compare(suite.name, comparison)
    console.error(
      `${suite.name} / ${row.name}: ${row.ratio.toFixed(3)}× ${row.target}`
    )
    rows.push(row)
  }
}
console.log(
  `\nnode ${process.version}, ${process.platform}/${process.arch}, medians of alternating runs\n`
)
console.log(table(rows))
const json = process.argv.find((a) => a.startsWith("--json="))
if (json) {
  fs.writeFileSync(json.slice("--json=".length), JSON.stringify(rows, null, 2))
}
process.exit(0)
