import { readFileSync } from "node:fs"
import { basename } from "node:path"
import { defineLoader } from "vitepress"

export interface IncidentPage {
  readonly name: string
  readonly url: string
  readonly title: string
}

declare const data: ReadonlyArray<IncidentPage>
export { data }

// Incident write-ups are added as incidents/<name>.md; the index links each one that exists.
export default defineLoader({
  watch: ["./*.md"],
  load(files: ReadonlyArray<string>): ReadonlyArray<IncidentPage> {
    return files
      .filter((file) => basename(file) !== "index.md")
      .map((file) => {
        const name = basename(file, ".md")
        const heading = /^# (.+)$/m.exec(readFileSync(file, "utf8"))?.[1] ??
          name
        return {
          name,
          url: `/incidents/${name}`,
          title: heading.replace(/`/g, "")
        }
      })
      .sort((a, b) => a.name.localeCompare(b.name))
  }
})
