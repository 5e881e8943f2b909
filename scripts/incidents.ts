/**
 * Writes the tables that describe Lifeline's incidents and packages from the one list,
 * `examples/incidents.ts`: the README's packages and incidents tables, the incident index of the docs
 * (`docs/incidents/index.md`), the tables of `docs/why.md` and the guide index (`docs/guide/index.md`). Each goes between a pair of markers,
 * `<!-- incidents.ts: <block> -->` … `<!-- /incidents.ts: <block> -->`; the rest of each file is left as
 * written. The result is formatted with `deno fmt`, so the check and the formatter agree.
 *
 * Usage: `tsx scripts/incidents.ts` writes the files; `tsx scripts/incidents.ts --check` writes nothing and
 * exits 1, naming the stale files, when any file is not what the list says.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Incident, incidents, type Package, type PackageName, packages, runsOf } from "../examples/incidents.ts"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [header, header.map(() => "---"), ...rows].map((row) => `| ${row.map(cell).join(" | ")} |`).join("\n")

const packageOf = (name: PackageName): Package => packages.find((p) => p.name === name)!

const npm = (name: PackageName): string => `@lifeline/${name}`

/** The replays a package answers; a test kit serves every one. */
const answers = (pkg: Package, link: (i: Incident) => string): string =>
  pkg.testKit
    ? "every replay (test kit)"
    : incidents.filter((i) => i.packages.some((p) => p === pkg.name)).map(link).join(", ")

const status = (available: boolean): string => (available ? "available" : "to come")

const hasPage = (i: Incident): boolean => fs.existsSync(path.join(root, "docs", "incidents", `${i.name}.md`))

const expectedText = (run: { readonly expected: { readonly outcome: string; readonly exitCode: number } }) =>
  `\`${run.expected.outcome}\`, exit ${run.expected.exitCode}`

const runText = (run: { readonly label: string; readonly args: ReadonlyArray<string> }): string =>
  run.label === "lifeline" ? "default (Lifeline)" : `\`${run.args.join(" ")}\``

// --- README.md ---

const readmePackages = (): string =>
  table(
    ["package", "pattern", "answers", "status"],
    packages.map((p) => [
      p.available ? `[\`${npm(p.name)}\`](packages/${p.name})` : `\`${npm(p.name)}\``,
      p.pattern,
      answers(p, (i) => `\`${i.name}\``),
      status(p.available)
    ])
  )

const readmeIncidents = (): string =>
  table(
    ["replay", "seed", "incident", "naive run shows", "Lifeline run shows"],
    incidents.map((i) => [
      i.replay === "ready" ? `[\`${i.name}\`](examples/${i.name})` : `\`${i.name}\` (to come)`,
      i.seed,
      i.title,
      i.naive.shows,
      i.lifeline.shows
    ])
  )

// --- docs ---

const docsPackage = (name: PackageName): string => {
  const p = packageOf(name)
  return p.available ? `[\`${npm(name)}\`](/guide/${name})` : `\`${npm(name)}\` (to come)`
}

const docsIncidentLink = (i: Incident): string => `[${i.name}](/incidents/${hasPage(i) ? i.name : `#${i.name}`})`

const docsIndex = (): string =>
  incidents.map((i) =>
    [
      `## ${i.name} {#${i.name}}`,
      `**Seed ${i.seed}:** ${i.title}.`,
      i.incident,
      `**Pattern:** ${i.pattern}. **Packages:** ${i.packages.map(docsPackage).join(", ")}.`,
      i.replay === "ready"
        ? `The replay, \`examples/${i.name}\`, and what each run of it is expected to end with:`
        : `The replay, \`examples/${i.name}\`, is still to come. What its runs will show:`,
      table(
        ["run", "shows", "expected"],
        runsOf(i).map((run) => [runText(run), run.shows, expectedText(run)])
      ),
      hasPage(i) ? `[Read the write-up →](/incidents/${i.name})` : "_Write-up to come._"
    ].join("\n\n")
  ).join("\n\n")

const whyIncidents = (): string =>
  table(
    ["seed", "incident", "what went wrong", "Lifeline pattern", "replay"],
    incidents.map((i) => [i.seed, docsIncidentLink(i), i.title, i.pattern, i.replay === "ready" ? "ready" : "to come"])
  )

const whyPackages = (): string =>
  table(
    ["package", "pattern", "answers", "status"],
    packages.map((p) => [
      p.available ? `[\`${npm(p.name)}\`](/guide/${p.name})` : `\`${npm(p.name)}\``,
      p.pattern,
      answers(p, docsIncidentLink),
      status(p.available)
    ])
  )

const guideIndex = (): string =>
  table(
    ["guide", "what it gives you", "incidents"],
    packages.map((p) => [docsPackage(p.name), p.gives, answers(p, docsIncidentLink)])
  )

// --- writing ---

/** The files and the blocks in each, by the name their markers carry. */
const targets: ReadonlyArray<{ readonly file: string; readonly blocks: Record<string, () => string> }> = [
  { file: "README.md", blocks: { packages: readmePackages, incidents: readmeIncidents } },
  { file: "docs/incidents/index.md", blocks: { index: docsIndex } },
  { file: "docs/why.md", blocks: { incidents: whyIncidents, packages: whyPackages } },
  { file: "docs/guide/index.md", blocks: { guides: guideIndex } }
]

const fill = (file: string, source: string, blocks: Record<string, () => string>): string => {
  let out = source
  for (const [name, render] of Object.entries(blocks)) {
    const begin = `<!-- incidents.ts: ${name} -->`
    const end = `<!-- /incidents.ts: ${name} -->`
    const from = out.indexOf(begin)
    const to = out.indexOf(end)
    if (from === -1 || to === -1 || to < from) {
      throw new Error(`${file}: missing the markers ${begin} … ${end}`)
    }
    out = `${out.slice(0, from + begin.length)}\n\n${render()}\n\n${out.slice(to)}`
  }
  return out
}

const deno = path.join(root, "node_modules", ".bin", "deno")

/** Formats markdown exactly as `deno fmt` does with the repository's settings. */
const format = (markdown: string): string => {
  const result = spawnSync(deno, ["fmt", "--config", "deno.json", "--ext=md", "-"], {
    cwd: root,
    input: markdown,
    encoding: "utf8"
  })
  if (result.status !== 0) throw new Error(`deno fmt failed: ${result.stderr}`)
  return result.stdout
}

const check = process.argv.includes("--check")
const stale: Array<string> = []
for (const { blocks, file } of targets) {
  const full = path.join(root, file)
  const current = fs.readFileSync(full, "utf8")
  const wanted = format(fill(file, current, blocks))
  if (wanted === current) continue
  stale.push(file)
  if (!check) fs.writeFileSync(full, wanted)
}
if (check) {
  if (stale.length > 0) {
    console.error(
      `stale: ${stale.join(", ")} — they do not match examples/incidents.ts; run \`pnpm exec tsx scripts/incidents.ts\``
    )
    process.exit(1)
  }
  console.log(`incidents: ${targets.map((t) => t.file).join(", ")} match examples/incidents.ts`)
} else {
  console.log(stale.length > 0 ? `wrote ${stale.join(", ")}` : "nothing to write")
}
