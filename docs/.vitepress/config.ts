import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type DefaultTheme, defineConfig } from "vitepress"

const docs = join(dirname(fileURLToPath(import.meta.url)), "..")

interface Page {
  readonly link: string
  readonly title: string
  readonly order: number
  readonly file: string
}

// Pages are listed when the config loads, so a page added to one of these folders needs no config edit.
// Title: the first `# ` heading. Order: an optional `order:` in the front matter, then the file name.
const pagesIn = (folder: string): Array<Page> => {
  const dir = join(docs, folder)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((file) => file.endsWith(".md"))
    .map((file) => {
      const source = readFileSync(join(dir, file), "utf8")
      const frontMatter = /^---\n([\s\S]*?)\n---/.exec(source)?.[1] ?? ""
      const order = Number(
        /^order:\s*(-?\d+)\s*$/m.exec(frontMatter)?.[1] ?? Number.NaN
      )
      const heading = /^# (.+)$/m.exec(
        source.replace(/^---\n[\s\S]*?\n---/, "")
      )?.[1]
      const name = file.slice(0, -3)
      return {
        file,
        link: name === "index" ? `/${folder}/` : `/${folder}/${name}`,
        title: name === "index" ? "Overview" : (heading ?? name).replace(/\s*\{#[^}]*\}\s*$/, "").replace(/`/g, "")
          .trim(),
        order: name === "index" ? -Infinity : Number.isNaN(order) ? Infinity : order
      }
    })
    .sort((a, b) => a.order - b.order || a.file.localeCompare(b.file))
}

const guide = pagesIn("guide")
const incidents = pagesIn("incidents")
const api = pagesIn("api")

const items = (pages: ReadonlyArray<Page>): Array<DefaultTheme.SidebarItem> =>
  pages.map((page) => ({ text: page.title, link: page.link }))

const first = (pages: ReadonlyArray<Page>, fallback: string): string => pages[0]?.link ?? fallback

const sidebar: DefaultTheme.SidebarItem[] = [
  {
    text: "Introduction",
    items: [
      { text: "Why Lifeline", link: "/why" },
      { text: "Operations", link: "/operations" },
      { text: "Benchmarks", link: "/benchmarks" },
      { text: "Publishing", link: "/publishing" }
    ]
  },
  ...(guide.length > 0 ? [{ text: "Guide", items: items(guide) }] : []),
  ...(incidents.length > 0 ? [{ text: "Incidents", collapsed: false, items: items(incidents) }] : []),
  ...(api.length > 0 ? [{ text: "API reference", collapsed: true, items: items(api) }] : [])
]

export default defineConfig({
  title: "Lifeline",
  description: "Resilience primitives for Effect 3, each distilled from a real incident",
  lang: "en-US",
  cleanUrls: true,
  ignoreDeadLinks: false,
  lastUpdated: false,
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/logo.svg" }]],
  srcExclude: ["**/README.md"],
  themeConfig: {
    logo: "/logo.svg",
    nav: [
      { text: "Why", link: "/why" },
      { text: "Guide", link: first(guide, "/why"), activeMatch: "^/guide/" },
      {
        text: "Incidents",
        link: first(incidents, "/why"),
        activeMatch: "^/incidents/"
      },
      { text: "Operations", link: "/operations" },
      { text: "Benchmarks", link: "/benchmarks" },
      { text: "API", link: first(api, "/why"), activeMatch: "^/api/" }
    ],
    sidebar,
    outline: [2, 3],
    search: { provider: "local" },
    footer: { message: "MIT licensed." }
  }
})
