import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineLoader } from "vitepress"

/** One comparison of `pnpm bench --json` (see `bench/harness.ts`). */
export interface BenchRow {
  readonly suite: string
  readonly name: string
  readonly baseline: string
  readonly subject: string
  readonly unit: string
  readonly higherIsBetter: boolean
  readonly baselineMedian: number
  readonly subjectMedian: number
  readonly ratio: number
  readonly target: string
  readonly targetLine?: number | null
  readonly met?: boolean | null
}

export interface BenchScalingRow {
  readonly suite: string
  readonly name: string
  readonly unit: string
  readonly sizeLabel: string
  readonly points: ReadonlyArray<{ readonly size: number; readonly median: number }>
  readonly spread: number
}

export interface BenchResults {
  readonly meta: {
    readonly date: string
    readonly runtime: string
    readonly platform: string
    readonly cpu: string
    readonly cores: number
    readonly smoke: boolean
  }
  readonly rows: ReadonlyArray<BenchRow>
  readonly scaling: ReadonlyArray<BenchScalingRow>
}

declare const data: BenchResults
export { data }

const results = fileURLToPath(new URL("../bench/results.json", import.meta.url))

// The recorded run (`pnpm bench --json=bench/results.json`): every figure on the page comes from it.
export default defineLoader({
  watch: [results],
  load(): BenchResults {
    return JSON.parse(readFileSync(results, "utf8")) as BenchResults
  }
})
