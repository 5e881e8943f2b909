/**
 * The docs show real code and the list's own words: every code snippet of the incident pages is imported
 * from a typechecked file under `examples/` (VitePress `<<< @/../examples/<name>/<file>.ts#region{ts}`),
 * never copied by hand, and the generated tables match `examples/incidents.ts`.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { examplesDir } from "../Spawn.ts"

const root = path.resolve(examplesDir, "..")
const docs = path.join(root, "docs")
const pages = [
  ...fs.readdirSync(path.join(docs, "incidents")).filter((f) => f.endsWith(".md")).map((f) => `incidents/${f}`),
  "index.md",
  "why.md"
]
const read = (page: string) => fs.readFileSync(path.join(docs, page), "utf8")

/** `<<< @/path#region{lang}` lines, as VitePress reads them (`@` is the docs folder). */
const snippetImports = (markdown: string) =>
  [...markdown.matchAll(/^<<< @\/(\S+?)(?:#([\w*-]+))?(?:\{[^}]*\})?$/gm)].map((m) => ({
    line: m[0],
    file: path.resolve(docs, m[1]!),
    region: m[2]
  }))

/** The fenced code blocks of a page with their language; output (`text`, `sh`, none) is not code. */
const codeFences = (markdown: string) =>
  [...markdown.matchAll(/^```(\w*)/gm)].map((m) => m[1]!).filter((lang, i) => i % 2 === 0 && lang !== "")

describe("code in the docs", () => {
  it("no incident page copies code by hand: TypeScript comes from real files, imported by region", () => {
    for (const page of pages) {
      const copied = codeFences(read(page)).filter((lang) => !["text", "sh", "yaml", "json"].includes(lang))
      expect(copied, `${page} has hand-written code blocks`).toEqual([])
    }
    const imports = pages.flatMap((page) => snippetImports(read(page)))
    console.log(`${imports.length} snippet imports in ${pages.length} pages`)
    expect(imports.length).toBeGreaterThanOrEqual(6)
  })

  it("every snippet import names a file under examples/ and a region that exists in it, in full", () => {
    for (const page of pages) {
      for (const snippet of snippetImports(read(page))) {
        expect(snippet.file.startsWith(examplesDir + path.sep), snippet.line).toBe(true)
        expect(fs.existsSync(snippet.file), snippet.line).toBe(true)
        // Without a region VitePress would include the whole file; with a missing one, silently too.
        expect(snippet.region, snippet.line).toBeDefined()
        const lines = fs.readFileSync(snippet.file, "utf8").split("\n").map((l) => l.trim())
        const begin = lines.indexOf(`// #region ${snippet.region}`)
        const end = lines.indexOf(`// #endregion ${snippet.region}`)
        expect(begin, `${snippet.line}: no "// #region ${snippet.region}"`).toBeGreaterThanOrEqual(0)
        expect(end, `${snippet.line}: no "// #endregion ${snippet.region}" after it`).toBeGreaterThan(begin + 1)
      }
    }
  })

  it("a snippet import stands on its own line, so the formatter cannot join it to the next", () => {
    for (const page of pages) {
      const lines = read(page).split("\n")
      lines.forEach((line, i) => {
        if (!line.startsWith("<<<")) return
        expect(lines[i - 1], `${page}:${i + 1}`).toBe("")
        expect(lines[i + 1] ?? "", `${page}:${i + 1}`).toBe("")
      })
    }
  })

  it("every region in the examples is opened and closed once", () => {
    const sources = (dir: string): Array<string> =>
      fs.readdirSync(path.join(examplesDir, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.name === "node_modules" || entry.name.startsWith(".")
          ? []
          : entry.isDirectory()
          ? sources(path.join(dir, entry.name))
          : entry.name.endsWith(".ts")
          ? [path.join(dir, entry.name)]
          : []
      )
    for (const file of sources(".")) {
      const text = fs.readFileSync(path.join(examplesDir, file), "utf8")
      const opened = [...text.matchAll(/\/\/ #region ([\w*-]+)$/gm)].map((m) => m[1])
      const closed = [...text.matchAll(/\/\/ #endregion ([\w*-]+)$/gm)].map((m) => m[1])
      expect(new Set(opened).size, file).toBe(opened.length)
      expect([...closed].sort(), file).toEqual([...opened].sort())
    }
  })
})

describe("the generated tables", () => {
  it("the README and the docs match the incident list (scripts/incidents.ts --check)", () => {
    const check = spawnSync(process.execPath, ["--import", "tsx", "scripts/incidents.ts", "--check"], {
      cwd: root,
      encoding: "utf8"
    })
    expect(check.status, check.stderr).toBe(0)
  })
})
