/**
 * The benchmark harness: every claim is a ratio against a baseline measured in the same run, taken as the
 * median of several alternating runs so that drift of the machine hits both sides alike.
 */

export interface Side {
  readonly label: string
  /** One measurement, in `unit`. Called `runs` times, alternating with the other side. */
  readonly run: () => Promise<number> | number
}

export interface Comparison {
  readonly name: string
  readonly unit: string
  readonly baseline: Side
  readonly subject: Side
  /** Whether a larger measurement is better (throughput) or worse (latency, bytes). */
  readonly higherIsBetter: boolean
  /** The target as text, e.g. "≥ 1.0×", and the check behind it on the ratio subject / baseline. */
  readonly target?: {
    readonly text: string
    readonly met: (ratio: number) => boolean
    /** The ratio the target is drawn at in the docs' charts (e.g. 1.2 for "≤ 1.2×"). */
    readonly line?: number
  }
  /** Number of measurements per side. Default 5. */
  readonly runs?: number
  /** Untimed runs per side before measuring. Default 1. */
  readonly warmup?: number
}

/** The target of a comparison's ratio. */
export type Target = NonNullable<Comparison["target"]>

/** The ratio must be at most `ratio` (a cost: time, CPU, bytes). */
export const atMost = (ratio: number, note = ""): Target => ({
  text: `≤ ${ratio}×${note}`,
  met: (r) => r <= ratio,
  line: ratio
})

/** The ratio must be at least `ratio` (a throughput). */
export const atLeast = (ratio: number, note = ""): Target => ({
  text: `≥ ${ratio}×${note}`,
  met: (r) => r >= ratio,
  line: ratio
})

export interface Row {
  readonly suite: string
  /** Whether a larger measurement is better; a chart reads the ratio through it. */
  readonly higherIsBetter: boolean
  readonly name: string
  readonly baseline: string
  readonly subject: string
  readonly unit: string
  readonly baselineMedian: number
  readonly subjectMedian: number
  /** subject / baseline. */
  readonly ratio: number
  readonly target: string
  /** See `Comparison.target.line`. */
  readonly targetLine: number | undefined
  readonly met: boolean | undefined
}

/**
 * Cost per operation as the work grows: `measure(size)` returns one measurement in `unit` at that size (the
 * median of `runs` is kept). Flat is the goal; the table says where it is not.
 */
export interface Scaling {
  readonly name: string
  readonly unit: string
  /** What `size` counts (pending deadlines, producers, bytes written…). */
  readonly sizeLabel: string
  readonly sizes: ReadonlyArray<number>
  readonly measure: (size: number) => Promise<number> | number
  /** Measurements per size. Default 3. */
  readonly runs?: number
}

export interface ScalingRow {
  readonly suite: string
  readonly name: string
  readonly unit: string
  readonly sizeLabel: string
  readonly points: ReadonlyArray<
    { readonly size: number; readonly median: number }
  >
  /** The largest measurement divided by the smallest: 1 is flat. */
  readonly spread: number
}

export interface Suite {
  readonly name: string
  readonly comparisons: () =>
    | ReadonlyArray<Comparison>
    | Promise<ReadonlyArray<Comparison>>
  readonly scaling?: () =>
    | ReadonlyArray<Scaling>
    | Promise<ReadonlyArray<Scaling>>
}

/**
 * Smoke mode (`pnpm bench --smoke`, as CI runs it): every benchmark runs once at a small size, so a broken
 * benchmark fails the run; its timings mean nothing and are not judged.
 */
export const smoke: boolean = process.argv.includes("--smoke")

/** `n` in a real run; a small fraction of it (at least `min`) in smoke mode. */
export const scaled = (n: number, min = 1): number => smoke ? Math.max(min, Math.ceil(n / 100)) : n

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Operations per second of `op` run `count` times back to back. */
export const opsPerSecond = async (
  count: number,
  op: (i: number) => unknown
): Promise<number> => {
  const t0 = performance.now()
  for (let i = 0; i < count; i++) await op(i)
  return count / ((performance.now() - t0) / 1000)
}

/** Milliseconds taken by `f`. */
export const elapsedMs = async (
  f: () => Promise<unknown> | unknown
): Promise<number> => {
  const t0 = performance.now()
  await f()
  return performance.now() - t0
}

export const compare = async (suite: string, c: Comparison): Promise<Row> => {
  const runs = smoke ? 1 : c.runs ?? 5
  for (let i = 0; i < (smoke ? 0 : c.warmup ?? 1); i++) {
    await c.baseline.run()
    await c.subject.run()
  }
  const base: Array<number> = []
  const subj: Array<number> = []
  for (let i = 0; i < runs; i++) {
    // Alternate which side goes first so neither always runs on a warmer machine.
    if (i % 2 === 0) {
      base.push(await c.baseline.run())
      subj.push(await c.subject.run())
    } else {
      subj.push(await c.subject.run())
      base.push(await c.baseline.run())
    }
  }
  const baselineMedian = median(base)
  const subjectMedian = median(subj)
  const ratio = baselineMedian === 0 ? Number.NaN : subjectMedian / baselineMedian
  return {
    suite,
    higherIsBetter: c.higherIsBetter,
    name: c.name,
    baseline: c.baseline.label,
    subject: c.subject.label,
    unit: c.unit,
    baselineMedian,
    subjectMedian,
    ratio,
    target: c.target?.text ?? "",
    targetLine: c.target?.line,
    met: c.target?.met(ratio)
  }
}

const fmt = (n: number): string =>
  !Number.isFinite(n)
    ? String(n)
    : Math.abs(n) >= 100
    ? n.toFixed(0)
    : Math.abs(n) >= 1
    ? n.toFixed(2)
    : n.toPrecision(3)

/** A markdown table, readable in a terminal and pasteable into the docs. */
export const table = (rows: ReadonlyArray<Row>): string => {
  const header = [
    "suite",
    "benchmark",
    "baseline",
    "subject",
    "unit",
    "baseline (median)",
    "subject (median)",
    "ratio",
    "target",
    "met"
  ]
  const body = rows.map((r) => [
    r.suite,
    r.name,
    r.baseline,
    r.subject,
    r.unit,
    fmt(r.baselineMedian),
    fmt(r.subjectMedian),
    `${fmt(r.ratio)}×`,
    r.target,
    r.met === undefined ? "" : r.met ? "yes" : "no"
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |"
  return [
    line(header),
    "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|",
    ...body.map(line)
  ].join("\n")
}

export const measureScaling = async (
  suite: string,
  s: Scaling
): Promise<ScalingRow> => {
  const runs = smoke ? 1 : s.runs ?? 3
  const points: Array<{ size: number; median: number }> = []
  for (const size of s.sizes) {
    const values: Array<number> = []
    for (let i = 0; i < runs; i++) values.push(await s.measure(size))
    points.push({ size, median: median(values) })
  }
  const medians = points.map((p) => p.median)
  const spread = Math.min(...medians) > 0 ? Math.max(...medians) / Math.min(...medians) : Number.NaN
  return {
    suite,
    name: s.name,
    unit: s.unit,
    sizeLabel: s.sizeLabel,
    points,
    spread
  }
}

/** One markdown table per scaling series: a column per size, and the spread. */
export const scalingTable = (rows: ReadonlyArray<ScalingRow>): string =>
  rows.map((r) => {
    const header = [
      `${r.suite}: ${r.name} (${r.unit})`,
      ...r.points.map((p) => `${r.sizeLabel} = ${p.size}`),
      "spread"
    ]
    const body = [
      r.name,
      ...r.points.map((p) => fmt(p.median)),
      `${fmt(r.spread)}×`
    ]
    const widths = header.map((h, i) => Math.max(h.length, body[i]!.length))
    const line = (cells: ReadonlyArray<string>) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |"
    return [
      line(header),
      "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|",
      line(body)
    ].join("\n")
  }).join("\n\n")
