import { readFileSync } from "node:fs"
import { basename, dirname } from "node:path"
import { defineLoader } from "vitepress"
import type { Recording } from "../../examples/shared/Recording.ts"
import { type Charts, chartsOf } from "./charts.ts"

export type { Chart, Charts } from "./charts.ts"

declare const data: Charts
export { data }

// The runs `pnpm demo --record` keeps, one file per run (`<example>/<label>.json`): every chart on the incident
// pages is drawn from them when the site is built.
export default defineLoader({
  watch: ["../recordings/*/*.json"],
  load(files: ReadonlyArray<string>): Charts {
    const recordings = new Map<string, Recording>()
    for (const file of files) {
      const key = `${basename(dirname(file))}/${basename(file, ".json")}`
      recordings.set(key, JSON.parse(readFileSync(file, "utf8")) as Recording)
    }
    return chartsOf(recordings)
  }
})
