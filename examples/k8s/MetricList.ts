/**
 * Lifeline's metrics, three ways, so that they can be held to each other: as the packages define them (read from
 * their sources: every `Metrics.counter("lifeline_…")` and `Metric.histogram("lifeline_…")`, and the tags each
 * `Metrics.bind` gives it), as docs/operations.md lists them, and as a Prometheus scrape shows them. Also which
 * metrics an alerting rule's expression names.
 */
import * as fs from "node:fs"
import * as path from "node:path"

export type MetricType = "counter" | "histogram"

export interface Metric {
  readonly name: string
  readonly type: MetricType
  /** Label names, sorted. */
  readonly labels: ReadonlyArray<string>
}

const sourcesOf = (dir: string): ReadonlyArray<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourcesOf(path.join(dir, entry.name))
      : entry.name.endsWith(".ts")
      ? [path.join(dir, entry.name)]
      : []
  )

/** The keys of an object literal's text (`{ supervisor, child: name, outcome }`). */
const keysOf = (literal: string): ReadonlyArray<string> =>
  literal.replace(/^\{|\}$/g, "").split(",").map((part) => part.split(":")[0]!.trim()).filter((key) => key !== "")

/**
 * Every `lifeline_*` metric the packages under `packagesDir` define, with the labels their `Metrics.bind` calls
 * give them. A bind whose tags this reader cannot see (neither an object literal nor a `const` of one in the same
 * file) throws: better a failing test than a list that silently misses labels.
 */
export const fromSources = (packagesDir: string): ReadonlyArray<Metric> => {
  const metrics = new Map<string, { type: MetricType; labels: Set<string> }>()
  for (const pkg of fs.readdirSync(packagesDir)) {
    const src = path.join(packagesDir, pkg, "src")
    if (!fs.existsSync(src)) continue
    for (const file of sourcesOf(src)) {
      // Without comments: JSDoc examples define metrics of their own.
      const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
      const local = new Map<string, string>()
      for (const m of text.matchAll(/const (\w+) = (?:Metrics|metrics)\.counter\(\s*"(lifeline_\w+)"/g)) {
        local.set(m[1]!, m[2]!)
        if (!metrics.has(m[2]!)) metrics.set(m[2]!, { type: "counter", labels: new Set() })
      }
      for (const m of text.matchAll(/const (\w+) = Metric\.histogram\(\s*"(lifeline_\w+)"/g)) {
        local.set(m[1]!, m[2]!)
        if (!metrics.has(m[2]!)) metrics.set(m[2]!, { type: "histogram", labels: new Set() })
      }
      for (const m of text.matchAll(/(?:Metrics|metrics)\.bind\(\s*(\w+),\s*(\{[^}]*\}|\w+)\s*\)/g)) {
        const name = local.get(m[1]!)
        if (name === undefined) continue // binds a metric passed in: `Metrics` itself, or its tests
        const tags = m[2]!
        const literal = tags.startsWith("{") ? tags : new RegExp(`const ${tags} = (\\{[^}]*\\})`).exec(text)?.[1]
        if (literal === undefined) throw new Error(`${file}: cannot read the tags of ${name} from "${m[0]}"`)
        for (const key of keysOf(literal)) metrics.get(name)!.labels.add(key)
      }
    }
  }
  return [...metrics].map(([name, m]) => ({ name, type: m.type, labels: [...m.labels].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The metrics docs/operations.md lists: the rows of its metrics table,
 * `| \`name\` | \`label\`, … | counter | package | meaning |`.
 */
export const fromDocs = (markdown: string): ReadonlyArray<Metric & { readonly meaning: string }> =>
  [...markdown.matchAll(/^\| `(lifeline_\w+)` +\| ([^|]*)\| (counter|histogram) +\| [^|]*\| ([^|]*)\|$/gm)].map((
    m
  ) => ({
    name: m[1]!,
    labels: [...m[2]!.matchAll(/`(\w+)`/g)].map((l) => l[1]!).sort(),
    type: m[3] as MetricType,
    meaning: m[4]!.trim()
  }))

/** The series names a metric has in a Prometheus scrape. */
export const seriesOf = (metric: Metric): ReadonlyArray<string> =>
  metric.type === "histogram" ? ["_bucket", "_sum", "_count"].map((suffix) => metric.name + suffix) : [metric.name]

/** The metric names a PromQL expression selects: names followed by a selector or a range, and any `lifeline_*`/`kube_*`. */
export const referencedBy = (expr: string): ReadonlyArray<string> => {
  const names = new Set<string>()
  const withoutStrings = expr.replace(/"[^"]*"/g, '""')
  for (const m of withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) names.add(m[1]!)
  for (const m of withoutStrings.matchAll(/\b((?:lifeline|kube)_[a-z0-9_]+)\b/g)) names.add(m[1]!)
  // `by (...)`, `on (...)` and `without (...)` list labels, never metrics.
  for (const m of withoutStrings.matchAll(/\b(?:by|on|without|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const label of m[1]!.split(",")) names.delete(label.trim())
  }
  return [...names].sort()
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** Parses the Prometheus text exposition format: its samples, and the `# TYPE` of each metric. */
export const parseExposition = (
  text: string
): { readonly samples: ReadonlyArray<Sample>; readonly types: ReadonlyMap<string, string> } => {
  const samples: Array<Sample> = []
  const types = new Map<string, string>()
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type !== null) types.set(type[1]!, type[2]!)
    if (line.startsWith("#") || line.trim() === "") continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line)
    if (m === null) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1")
    samples.push({ name: m[1]!, labels, value: m[3] === "+Inf" ? Infinity : Number(m[3]) })
  }
  return { samples, types }
}
