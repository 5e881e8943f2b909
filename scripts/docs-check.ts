/**
 * Checks the built docs site (docs/.vitepress/dist) in a real headless Chromium: every page reachable from
 * the nav and sidebar renders (HTTP 200, an h1, no console errors), a nav and a sidebar link navigate, local
 * search finds a known term and its result navigates, no internal link is broken (404 or a missing
 * anchor), and every incident page with a replay draws its charts from the recorded runs (each chart's SVG
 * has a size, its lines and marks are drawn with a size, its labels neither overlap nor spill out of it, in
 * light and in dark mode). Prints `ok - <check>` / `not ok - <check>: <reason>` per check, then
 * `docs-check: N passed, M failed`; exits 1 if any check failed.
 *
 * Usage: tsx scripts/docs-check.ts [--dist <dir>] [--screenshots[=<dir>]]   (CHROMIUM_PATH overrides
 * /usr/bin/chromium). `--screenshots` saves the home page, one incident page and every incident's charts, in
 * light and dark mode, under `<dir>` (default /tmp/lifeline-docs-screenshots) for a person to look at.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { createRequire } from "node:module"
import { dirname, extname, join, normalize, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
// playwright-core is a dependency of the docs package only; its types are read from there.
import type * as Playwright from "../docs/node_modules/playwright-core/index.js"
import { incidents } from "../examples/incidents.ts"

// The callbacks of `page.evaluate` run in the browser; this is the little of the DOM they use.
interface DomElement {
  readonly id: string
  readonly textContent: string | null
  getAttribute(name: string): string | null
  getBoundingClientRect(): {
    readonly left: number
    readonly top: number
    readonly width: number
    readonly height: number
  }
  querySelectorAll(selector: string): ArrayLike<DomElement>
}
declare const document: { querySelectorAll(selector: string): ArrayLike<DomElement> }

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const docsDir = join(root, "docs")
const distArg = process.argv.indexOf("--dist")
const dist = distArg >= 0 && process.argv[distArg + 1]
  ? resolve(process.argv[distArg + 1]!)
  : join(docsDir, ".vitepress", "dist")
const searchTerm = process.env.DOCS_SEARCH_TERM ?? "DeadlineExceeded"
const screenshotArg = process.argv.find((a) => a === "--screenshots" || a.startsWith("--screenshots="))
const screenshotDir = screenshotArg === undefined
  ? undefined
  : resolve(screenshotArg.slice("--screenshots=".length) || "/tmp/lifeline-docs-screenshots")
const watchdogMs = Number(process.env.DOCS_CHECK_TIMEOUT_MS ?? 180_000)

let passed = 0
let failed = 0
const ok = (name: string) => {
  passed++
  console.log(`ok - ${name}`)
}
const notOk = (name: string, reason: string) => {
  failed++
  console.log(`not ok - ${name}: ${reason.replace(/\s+/g, " ").slice(0, 500)}`)
}
const check = async (
  name: string,
  body: () => Promise<void | string> | void | string
): Promise<void> => {
  try {
    const problem = await body()
    if (typeof problem === "string") notOk(name, problem)
    else ok(name)
  } catch (error) {
    notOk(
      name,
      error instanceof Error ? error.message.split("\n")[0]! : String(error)
    )
  }
}
const finish = (): never => {
  console.log(`docs-check: ${passed} passed, ${failed} failed`)
  process.exit(failed > 0 ? 1 : 0)
}

// --- static server: the layout VitePress writes with `cleanUrls` (`/why` is `why.html`) ---

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8"
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile()

const resolveFile = (pathname: string): string | undefined => {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  const path = normalize(join(dist, decoded))
  if (path !== dist && !path.startsWith(dist + sep)) return undefined
  return [path, `${path}.html`, join(path, "index.html")].find(isFile)
}

const serve = (): Promise<Server> =>
  new Promise((resolveServer, reject) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const file = resolveFile(url.pathname)
      const notFound = join(dist, "404.html")
      const [status, body, type] = file
        ? [
          200,
          readFileSync(file),
          contentTypes[extname(file)] ?? "application/octet-stream"
        ]
        : [
          404,
          isFile(notFound) ? readFileSync(notFound) : "not found",
          contentTypes[".html"]!
        ]
      res.writeHead(status, {
        "content-type": type,
        "cache-control": "no-store"
      })
      res.end(req.method === "HEAD" ? undefined : body)
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolveServer(server))
  })

// --- browser ---

interface Visit {
  readonly status: number
  readonly h1: string
  readonly errors: ReadonlyArray<string>
  readonly links: ReadonlyArray<string>
  readonly ids: ReadonlySet<string>
}

const main = async () => {
  if (!isFile(join(dist, "index.html"))) {
    notOk(
      "site is built",
      `${dist}/index.html not found; run the docs build first`
    )
    finish()
  }
  const requireFromDocs = createRequire(join(docsDir, "package.json"))
  const { chromium } = requireFromDocs("playwright-core") as typeof Playwright
  const server = await serve()
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })
  const watchdog = setTimeout(() => {
    notOk(
      "docs-check finishes in time",
      `still running after ${watchdogMs} ms`
    )
    finish()
  }, watchdogMs)
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 }
    })
    // Nothing on the site may reach beyond the local server.
    await context.route(
      (url) => !url.href.startsWith(base),
      (route) => route.abort()
    )

    const newPage = async () => {
      const page = await context.newPage()
      const errors: Array<string> = []
      page.on("console", (message) => {
        if (message.type() === "error") {
          errors.push(`console: ${message.text()}`)
        }
      })
      page.on(
        "pageerror",
        (error) => errors.push(`page error: ${error.message}`)
      )
      return { page, errors }
    }

    const visits = new Map<string, Promise<Visit>>()
    const visit = (path: string): Promise<Visit> => {
      const known = visits.get(path)
      if (known) return known
      const result = load(path)
      visits.set(path, result)
      return result
    }
    const load = async (path: string): Promise<Visit> => {
      const { page, errors } = await newPage()
      try {
        const response = await page.goto(base + path, {
          waitUntil: "networkidle",
          timeout: 20_000
        })
        const status = response?.status() ?? 0
        // The reason is kept: on a loaded machine a timeout here is not the same finding as a page without h1.
        const h1 = await page.locator("h1").first().textContent({ timeout: 15_000 }).then(
          (text) => text?.trim() ?? "",
          (error: unknown) => `(no h1: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`
        )
        const { links, ids } = await page.evaluate(() => ({
          links: Array.from(
            document.querySelectorAll("a[href]"),
            (a) => a.getAttribute("href")!
          ),
          ids: Array.from(document.querySelectorAll("[id]"), (e) => e.id)
        }))
        return { status, h1, errors: [...errors], links, ids: new Set(ids) }
      } finally {
        await page.close()
      }
    }

    // Internal hrefs, resolved against the page they are on; `undefined` for external and special links.
    const internal = (href: string, from: string): URL | undefined => {
      if (/^(mailto|tel|javascript):/i.test(href)) return undefined
      const url = new URL(href, base + from)
      return url.origin === base ? url : undefined
    }

    // 1. Every page in the nav and sidebar renders.
    const home = await visit("/")
    const navPages = new Set<string>(["/"])
    {
      const { page } = await newPage()
      for (const path of ["/", "/why"]) {
        await page.goto(base + path, {
          waitUntil: "networkidle",
          timeout: 20_000
        })
        const hrefs = await page.evaluate(() =>
          Array.from(
            document.querySelectorAll(".VPNav a[href], .VPSidebar a[href]"),
            (a) => a.getAttribute("href")!
          )
        )
        for (const href of hrefs) {
          const url = internal(href, path)
          if (url) navPages.add(url.pathname)
        }
        if (path === "/") {
          await page.screenshot({
            path: process.env.DOCS_SCREENSHOT ?? "/tmp/lifeline-docs-home.png"
          })
            .catch(() => undefined)
        }
      }
      await page.close()
    }
    await check(
      `nav and sidebar list pages (${navPages.size})`,
      () => navPages.size < 4 ? `only ${[...navPages].join(", ")}` : undefined
    )
    // Pages load a few at a time; each check then reads its page's result.
    const pending = [...navPages]
    await Promise.all(Array.from({ length: 3 }, async () => {
      for (
        let path = pending.shift();
        path !== undefined;
        path = pending.shift()
      ) await visit(path)
    }))
    for (const path of [...navPages].sort()) {
      await check(`renders ${path}`, async () => {
        const result = path === "/" ? home : await visit(path)
        if (result.status !== 200) return `HTTP ${result.status}`
        if (result.h1 === "" || result.h1.startsWith("(no h1")) return result.h1 || "empty h1"
        if (result.errors.length > 0) return result.errors.join("; ")
      })
    }

    // 2. Clicking links navigates in the single-page app.
    await check("nav link navigates (Why)", async () => {
      const { page, errors } = await newPage()
      await page.goto(base + "/", { waitUntil: "networkidle" })
      await page.locator(".VPNavBar a", { hasText: /^Why$/ }).first().click()
      await page.waitForURL(`${base}/why`, { timeout: 10_000 })
      const h1 = await page.locator(".vp-doc h1").first().textContent({
        timeout: 5_000
      })
      await page.close()
      if (!h1?.includes("Why Lifeline")) return `h1 is ${JSON.stringify(h1)}`
      if (errors.length > 0) return errors.join("; ")
    })
    await check("sidebar link navigates", async () => {
      const { page, errors } = await newPage()
      await page.goto(base + "/why", { waitUntil: "networkidle" })
      const link = page.locator(".VPSidebar a[href*='/guide/']").first()
      const href = await link.getAttribute("href")
      if (href === null) return "no guide link in the sidebar"
      await link.click()
      await page.waitForURL(
        (url) => url.pathname === new URL(href, base).pathname,
        { timeout: 10_000 }
      )
      const h1 = (await page.locator(".vp-doc h1").first().textContent({
        timeout: 5_000
      }))?.trim()
      await page.close()
      if (!h1) return `no h1 after navigating to ${href}`
      if (errors.length > 0) return errors.join("; ")
    })

    // 3. Local search finds a known term, and a result navigates to a page that has it.
    {
      const { page, errors } = await newPage()
      await page.goto(base + "/", { waitUntil: "networkidle" })
      let resultCount = 0
      await check(`search finds "${searchTerm}"`, async () => {
        await page.locator(".VPNavBarSearch button").first().click()
        const input = page.locator(".VPLocalSearchBox input").first()
        await input.waitFor({ timeout: 10_000 })
        await input.fill(searchTerm)
        const results = page.locator(
          ".VPLocalSearchBox .results a.result, .VPLocalSearchBox .results li a"
        )
        await results.first().waitFor({ timeout: 10_000 })
        resultCount = await results.count()
        if (resultCount === 0) return "no results"
      })
      await check("search result navigates", async () => {
        if (resultCount === 0) return "no result to click"
        const before = page.url()
        await page.locator(
          ".VPLocalSearchBox .results a.result, .VPLocalSearchBox .results li a"
        ).first().click()
        await page.waitForURL((url) => url.href !== before, {
          timeout: 10_000
        })
        await page.locator(".VPLocalSearchBox").waitFor({
          state: "detached",
          timeout: 5_000
        })
        const found = await page.locator(".vp-doc", { hasText: searchTerm })
          .first().waitFor({ timeout: 10_000 })
          .then(() => true, () => false)
        if (!found) return `${page.url()} does not mention ${searchTerm}`
        if (errors.length > 0) return errors.join("; ")
      })
      await page.close()
    }

    // 4. Crawl every internal link from every page; none may be broken.
    await check("an unknown URL answers 404", async () => {
      const response = await fetch(`${base}/no-such-page-${Date.now()}`)
      if (response.status !== 404) return `HTTP ${response.status}`
    })
    const queue = [...visits.keys()]
    const broken = new Map<string, Array<string>>()
    const linkCount = new Map<string, number>()
    const assetStatus = new Map<string, number>()
    const isPage = (pathname: string) => {
      const file = resolveFile(pathname)
      return file === undefined || file.endsWith(".html")
    }
    for (let i = 0; i < queue.length; i++) {
      const from = queue[i]!
      const page = await visit(from)
      // A page that is itself missing is reported by the link to it; its 404 page's links are not the site's.
      if (page.status !== 200) continue
      const problems: Array<string> = []
      let count = 0
      for (const href of page.links) {
        const url = internal(href, from)
        if (!url) continue
        count++
        if (!isPage(url.pathname)) {
          if (!assetStatus.has(url.pathname)) {
            assetStatus.set(
              url.pathname,
              (await fetch(base + url.pathname)).status
            )
          }
          if (assetStatus.get(url.pathname) !== 200) {
            problems.push(`${href} (HTTP ${assetStatus.get(url.pathname)})`)
          }
          continue
        }
        if (!visits.has(url.pathname) && !queue.includes(url.pathname)) {
          queue.push(url.pathname)
        }
        const target = await visit(url.pathname)
        if (target.status !== 200) {
          problems.push(`${href} (HTTP ${target.status})`)
        } else if (
          url.hash.length > 1 &&
          !target.ids.has(decodeURIComponent(url.hash.slice(1)))
        ) {
          problems.push(`${href} (no element with id ${url.hash})`)
        }
      }
      linkCount.set(from, count)
      if (problems.length > 0) broken.set(from, [...new Set(problems)])
    }
    for (const from of queue.filter((path) => linkCount.has(path))) {
      const problems = broken.get(from)
      if (problems) notOk(`links from ${from}`, problems.join(", "))
      else ok(`links from ${from} (${linkCount.get(from)} internal)`)
    }
    // Pages found only by crawling (not in the nav or sidebar) must render too.
    for (const path of queue.filter((p) => !navPages.has(p))) {
      const result = await visit(path)
      if (result.status !== 200) continue // already reported as a broken link
      await check(`renders ${path} (linked, not in sidebar)`, () => {
        if (result.h1 === "" || result.h1.startsWith("(no h1")) return result.h1 || "empty h1"
        if (result.errors.length > 0) return result.errors.join("; ")
      })
    }

    // 5. Every incident page with a replay draws its charts, readable, in light and in dark mode.
    const chartPages = incidents.filter((i) => i.replay === "ready").map((i) => `/incidents/${i.name}`)
    for (const scheme of ["light", "dark"] as const) {
      const schemeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme })
      await schemeContext.route((url) => !url.href.startsWith(base), (route) => route.abort())
      for (const path of chartPages) {
        await check(`charts render on ${path} (${scheme})`, async () => {
          const page = await schemeContext.newPage()
          const errors: Array<string> = []
          page.on("console", (message) => {
            if (message.type() === "error") errors.push(`console: ${message.text()}`)
          })
          page.on("pageerror", (error) => errors.push(`page error: ${error.message}`))
          try {
            await page.goto(base + path, { waitUntil: "networkidle", timeout: 20_000 })
            const problems = await page.evaluate(inspectCharts)
            if (errors.length > 0) problems.push(...errors)
            if (problems.length > 0) return problems.join("; ")
          } finally {
            await page.close()
          }
        })
      }
      await check(`benchmark charts render on /benchmarks (${scheme})`, async () => {
        const page = await schemeContext.newPage()
        try {
          await page.goto(base + "/benchmarks", { waitUntil: "networkidle", timeout: 20_000 })
          const problems = await page.evaluate(inspectBenchCharts)
          if (problems.length > 0) return problems.join("; ")
        } finally {
          await page.close()
        }
      })
      if (screenshotDir !== undefined) await screenshots(schemeContext, base, scheme, screenshotDir, chartPages)
      await schemeContext.close()
    }
  } finally {
    clearTimeout(watchdog)
    await browser.close().catch(() => undefined)
    server.close()
  }
  finish()
}

/**
 * What is wrong with the charts of the page it runs in (in the browser), or nothing: every chart group has its
 * charts and none is missing; every SVG has a size; every line and mark is drawn with a size; no label overlaps
 * another or spills out of its chart.
 */
const inspectCharts = (): Array<string> => {
  const problems: Array<string> = []
  const groups = Array.from(document.querySelectorAll(".replay-charts"))
  if (groups.length === 0) return ["no .replay-charts on the page"]
  for (const missing of Array.from(document.querySelectorAll(".replay-chart-missing"))) {
    problems.push(`missing chart: ${(missing.textContent ?? "").trim()}`)
  }
  const figures = Array.from(document.querySelectorAll("figure.replay-chart"))
  if (figures.length === 0) problems.push("no chart drawn")
  for (const group of groups) {
    const expected = Number(group.getAttribute("data-charts"))
    const drawn = group.querySelectorAll("figure.replay-chart").length
    if (drawn !== expected) problems.push(`${drawn} of ${expected} charts drawn`)
  }
  for (const figure of figures) {
    const id = figure.getAttribute("data-chart")
    const kind = figure.getAttribute("data-kind")
    const svg = figure.querySelectorAll("svg.replay-svg")[0]
    if (svg === undefined) {
      problems.push(`${id}: no svg`)
      continue
    }
    const box = svg.getBoundingClientRect()
    if (box.width < 300 || box.height < 100) problems.push(`${id}: svg is ${box.width}×${box.height}`)
    const series = Array.from(svg.querySelectorAll("[data-series] path"))
    // No named helpers in here: the function is sent to the browser as its source text.
    const sizedMarks = Array.from(svg.querySelectorAll("[data-mark]"))
      .filter((e) => e.getBoundingClientRect().width > 0 || e.getBoundingClientRect().height > 0).length
    if (kind === "line") {
      if (series.length === 0) problems.push(`${id}: no line drawn`)
      for (const line of series) {
        const r = line.getBoundingClientRect()
        if (!(r.width > 10 && r.height > 1)) problems.push(`${id}: a line of ${r.width}×${r.height}`)
      }
    } else if (sizedMarks < 3) {
      problems.push(`${id}: ${sizedMarks} marks drawn with a size`)
    }
    const texts = Array.from(figure.querySelectorAll("svg.replay-svg text"))
      .filter((t) => (t.textContent ?? "").trim() !== "")
      .map((t) => ({ text: (t.textContent ?? "").trim(), r: t.getBoundingClientRect() }))
    const frame = figure.getBoundingClientRect()
    for (const t of texts) {
      if (t.r.left < frame.left - 1 || t.r.left + t.r.width > frame.left + frame.width + 1) {
        problems.push(`${id}: label "${t.text}" spills out of the chart`)
      }
    }
    const bars = Array.from(figure.querySelectorAll("svg.replay-svg rect[data-mark]")).map((b) =>
      b.getBoundingClientRect()
    )
    for (const t of texts) {
      for (const b of bars) {
        const overlapX = Math.min(t.r.left + t.r.width, b.left + b.width) - Math.max(t.r.left, b.left)
        const overlapY = Math.min(t.r.top + t.r.height, b.top + b.height) - Math.max(t.r.top, b.top)
        if (overlapX > 1 && overlapY > 2) {
          problems.push(`${id}: "${t.text}" is drawn over a bar`)
          break
        }
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i]!.r
        const b = texts[j]!.r
        const overlapX = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left)
        const overlapY = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top)
        if (overlapX > 1 && overlapY > 2) problems.push(`${id}: "${texts[i]!.text}" overlaps "${texts[j]!.text}"`)
      }
    }
  }
  return problems
}

/**
 * What is wrong with the benchmark charts of the page it runs in (in the browser), or nothing: one chart per
 * suite, each with a drawn bar per comparison of the recorded run, and a table row per bar.
 */
function inspectBenchCharts(): Array<string> {
  const problems: Array<string> = []
  const charts = Array.from(document.querySelectorAll("figure.bench-chart"))
  if (charts.length < 5) problems.push(`${charts.length} benchmark charts, expected one per suite (5)`)
  for (const chart of charts) {
    const suite = chart.getAttribute("data-suite")
    const rows = Number(chart.getAttribute("data-rows"))
    const bars = Array.from(chart.querySelectorAll("rect")).filter((r) => r.getBoundingClientRect().width > 0)
    if (rows === 0) problems.push(`${suite}: no recorded rows`)
    if (bars.length !== rows) problems.push(`${suite}: ${bars.length} bars drawn for ${rows} rows`)
  }
  if (document.querySelectorAll(".bench-meta").length === 0) problems.push("no recorded-run line (machine and date)")
  return problems
}

/** Saves the home page, one incident page and every incident's charts, for a person to look at. */
const screenshots = async (
  context: Playwright.BrowserContext,
  base: string,
  scheme: "light" | "dark",
  dir: string,
  chartPages: ReadonlyArray<string>
): Promise<void> => {
  mkdirSync(dir, { recursive: true })
  const page = await context.newPage()
  const saved: Array<string> = []
  const shot = async (name: string, take: (path: string) => Promise<unknown>) => {
    const path = join(dir, `${name}-${scheme}.png`)
    await take(path)
    saved.push(path)
  }
  try {
    await page.goto(base + "/", { waitUntil: "networkidle", timeout: 20_000 })
    await shot("home", (path) => page.screenshot({ path }))
    for (const [i, pagePath] of chartPages.entries()) {
      const name = pagePath.split("/").at(-1)!
      if (i === 0) {
        await page.goto(base + pagePath, { waitUntil: "networkidle", timeout: 20_000 })
        await shot(`page-${name}`, (path) => page.screenshot({ path }))
      }
      await page.goto(base + pagePath + "#charts", { waitUntil: "networkidle", timeout: 20_000 })
      if (i === 0) await shot(`page-${name}-charts`, (path) => page.screenshot({ path }))
      // The sticky navigation bar would cover the top of a chart taller than the window.
      await page.addStyleTag({ content: ".VPNav, .VPLocalNav { visibility: hidden !important; }" })
      await shot(`charts-${name}`, (path) => page.locator(".replay-charts").first().screenshot({ path }))
    }
  } finally {
    await page.close()
  }
  for (const path of saved) console.log(`# screenshot: ${path}`)
}

main().catch((error) => {
  notOk(
    "docs-check runs",
    error instanceof Error ? error.message : String(error)
  )
  finish()
})
