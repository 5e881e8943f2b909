/**
 * End-to-end: the replay runs as a real process against its real loopback servers, exactly as
 * `pnpm demo` runs it, and these tests read its summary line and its log output — and, during the Lifeline
 * run, scrape its `/metrics` over loopback as Prometheus would.
 */
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { expected } from "../../incidents.ts"
import * as MetricList from "../../k8s/MetricList.ts"
import { examplesDir, type Run, runExample } from "../../shared/Spawn.ts"
import type { LifelineFigures, NaiveFigures } from "../judge.ts"
import * as Metrics from "../metrics.ts"

const name = "patrol-loop-stall"
const runs: { naive?: Run<NaiveFigures>; lifeline?: Run<LifelineFigures>; wedge?: Run<LifelineFigures> } = {}

/** A loopback port free right now, for the run's `--listen`. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

/** What Prometheus would have got: the last successful scrape of the run, and how many there were. */
const scrapes: { last?: { readonly contentType: string | null; readonly text: string }; count: number } = { count: 0 }

/** Scrapes `url` every 250 ms until `done` settles, keeping the last answer. */
const scrapeUntil = async (url: string, done: Promise<unknown>): Promise<void> => {
  let finished = false
  void done.finally(() => (finished = true))
  while (!finished) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (response.status === 200) {
        scrapes.last = { contentType: response.headers.get("content-type"), text: await response.text() }
        scrapes.count++
      }
    } catch {
      // not up yet, or gone: the run decides
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

beforeAll(async () => {
  // The Lifeline run measures its own cadence, so it runs alone; the naive and wedge runs assert only on
  // coarse timings (a stall, a 503 within seconds) and share the machine to save wall time.
  const [naive, wedge] = await Promise.all([
    runExample<NaiveFigures>(name, ["--naive"], { killAfterMs: 60_000 }),
    runExample<LifelineFigures>(name, ["--wedge"], { killAfterMs: 60_000 })
  ])
  runs.naive = naive
  runs.wedge = wedge
  // Prometheus scrapes the Lifeline run's /metrics while it runs: a few small requests, as in production.
  const port = await freePort()
  const lifeline = runExample<LifelineFigures>(name, ["--listen", `127.0.0.1:${port}`], { killAfterMs: 60_000 })
  await scrapeUntil(`http://127.0.0.1:${port}/metrics`, lifeline)
  runs.lifeline = await lifeline
  for (const [mode, run] of Object.entries(runs)) {
    console.log(mode, JSON.stringify(run.summary))
  }
}, 90_000)

describe("naive runner (--naive)", () => {
  it("stalls on the unanswered request while /healthz keeps answering 200", () => {
    const run = runs.naive!
    const s = run.summary!
    expect(s, run.stderr).toBeDefined()
    console.log(
      `naive: ${s.sweepsCompleted}/${s.sweepsScheduled} sweeps completed, stuck in ${s.stuckStage} for`,
      `${s.stuckForMs} ms, /healthz while stalled:`,
      JSON.stringify(s.healthzWhileStalled)
    )
    expect(s).toMatchObject(expected(name, "naive"))
    expect(run.code).toBe(s.exitCode)
    expect(s.mode).toBe("naive")
    expect(s.stuckStage).toBe("collect")
    expect(s.sweepsCompleted).toBeLessThan(s.sweepsScheduled! / 2)
    // After the loop stopped the probe saw 200s and never a 503: liveness said alive while nothing happened.
    // (A probe may time out on a starved CI machine; that is the machine, not the endpoint.)
    const whileStalled = s.healthzWhileStalled!
    expect(whileStalled["200"]).toBeGreaterThanOrEqual(5)
    expect(whileStalled["503"] ?? 0).toBe(0)
  })
})

describe("Lifeline runner (default mode)", () => {
  it("completes nearly every scheduled sweep, each one bounded by its deadline", () => {
    const run = runs.lifeline!
    const s = run.summary!
    expect(s, run.stderr).toBeDefined()
    console.log(
      `lifeline: ${s.sweepsCompleted}/${s.sweepsScheduled} completed (ratio ${s.completedRatio}),`,
      `${s.sweepsSucceeded} succeeded, ${s.sweepsTimedOut} timed out, ${s.defects} defect(s),`,
      `alert API: ${JSON.stringify(s.alertApi)}, /healthz: ${JSON.stringify(s.healthz)}`
    )
    expect(s).toMatchObject(expected(name, "lifeline"))
    expect(run.code).toBe(0)
    expect(s.completedRatio).toBeGreaterThanOrEqual(0.75)
    expect(s.completedRatio).toBeLessThanOrEqual(1.2)
    // Some requests really went unanswered, and the sweeps that made them were cut, not left hanging.
    expect(s.alertApi!.unanswered).toBeGreaterThanOrEqual(1)
    expect(s.sweepsTimedOut).toBeGreaterThanOrEqual(1)
  })

  it("logs the Analyze defect at Error with its stack and goes on sweeping", () => {
    const run = runs.lifeline!
    const s = run.summary!
    const output = run.stdout + run.stderr
    const at = output.indexOf("TypeError: Cannot read properties of undefined")
    console.log(`defects: ${s.defects}, succeeded: ${s.sweepsSucceeded}; defect log at offset ${at}`)
    expect(s.defects).toBe(1)
    expect(at).toBeGreaterThanOrEqual(0)
    // The stack points into the agent's Analyze step, and the line was logged at Error.
    expect(output.slice(at, at + 2000)).toMatch(/at .*agent\.ts:\d+/)
    expect(output).toMatch(/level=ERROR[^\n]*patrol/)
    // Sweeps after the defective one (sweep 6) still succeed.
    expect(s.sweepsSucceeded).toBeGreaterThan(6)
  })

  it("keeps /healthz at 200 while sweeps make progress", () => {
    const s = runs.lifeline!.summary!
    const healthz = s.healthz!
    // Probe timeouts say the machine was starved, not what the endpoint answered: count answers only.
    const share = (healthz["200"] ?? 0) / ((healthz["200"] ?? 0) + (healthz["503"] ?? 0))
    console.log(
      `lifeline /healthz: ${JSON.stringify(healthz)}, 200 share ${share.toFixed(2)}`
    )
    expect(healthz["200"]).toBeGreaterThanOrEqual(5)
    // Health follows progress: on a starved machine a few timed-out sweeps in a row may briefly say 503.
    expect(share).toBeGreaterThanOrEqual(0.8)
  })
})

describe("Lifeline runner with a sweep wedged in uninterruptible code (--wedge)", () => {
  it("turns /healthz 503 once the wedge stops progress", () => {
    const run = runs.wedge!
    const s = run.summary!
    expect(s, run.stderr).toBeDefined()
    const wedge = s.wedge!
    console.log(
      `wedge: wedged at ${wedge.atMs} ms, first 503 at ${wedge.first503Ms} ms`,
      `(${wedge.first503AfterMs} ms after the wedge), /healthz after the wedge:`,
      JSON.stringify(wedge.healthzAfter),
      `supervisor: ${JSON.stringify(s.supervisor)}`
    )
    expect(s).toMatchObject(expected(name, "wedge"))
    expect(run.code).toBe(0)
    expect(wedge.atMs).not.toBeNull()
    expect(wedge.first503AfterMs).toBeGreaterThan(0)
    // staleAfter (3 × every + timeout = 750 ms) after the last success, plus probe period and slack.
    expect(wedge.first503AfterMs).toBeLessThan(2_500)
    expect(wedge.healthzAfter["503"]).toBeGreaterThanOrEqual(3)
    // Before the wedge, the same endpoint said 200: the 503 is about the wedge, not the server.
    expect(s.healthz!["200"]).toBeGreaterThanOrEqual(3)
  })
})

describe("Lifeline runner's /metrics, scraped over loopback during the run", () => {
  const samples = () => MetricList.parseExposition(scrapes.last!.text)
  const value = (metric: string, labels: Readonly<Record<string, string>>) =>
    samples().samples.filter((s) => s.name === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v))

  it("answers in the Prometheus text format, with the supervisor's runs by outcome", () => {
    const s = runs.lifeline!.summary!
    expect(scrapes.last, "no successful scrape").toBeDefined()
    console.log(
      `${scrapes.count} scrapes; the last:\n` +
        scrapes.last!.text.split("\n").filter((l) => l.includes("lifeline_")).join("\n")
    )
    expect(scrapes.last!.contentType).toBe(Metrics.contentType)
    expect(samples().types.get("lifeline_supervisor_runs_total")).toBe("counter")
    const runsOf = (outcome: string) => {
      const found = value("lifeline_supervisor_runs_total", { supervisor: "agent-runner", child: "patrol", outcome })
      expect(found.length, outcome).toBeLessThanOrEqual(1)
      return found[0]?.value ?? 0
    }
    // The last scrape comes at most a scrape interval before the end: a little behind the run's own tally.
    console.log(
      `runs_total: success ${runsOf("success")} (run: ${s.sweepsSucceeded}), timeout ${runsOf("timeout")}`,
      `(run: ${s.sweepsTimedOut}), defect ${runsOf("defect")} (run: ${s.defects})`
    )
    expect(runsOf("success")).toBeGreaterThanOrEqual(3)
    expect(runsOf("success")).toBeLessThanOrEqual(s.sweepsSucceeded!)
    expect(runsOf("timeout")).toBeGreaterThanOrEqual(1)
    expect(runsOf("timeout")).toBeLessThanOrEqual(s.sweepsTimedOut!)
    expect(runsOf("defect")).toBe(s.defects)
  })

  it("counts the deadlines the unanswered requests ran into, by label", () => {
    const s = runs.lifeline!.summary!
    const exceeded = value("lifeline_deadline_exceeded_total", {})
    console.log(`deadline_exceeded_total: ${JSON.stringify(exceeded)}`)
    expect(samples().types.get("lifeline_deadline_exceeded_total")).toBe("counter")
    // The sweep's deadline and the alert API call's (which inherits it) expire together: either may name it.
    for (const sample of exceeded) expect(["alert-api", "agent-runner/patrol"]).toContain(sample.labels["label"])
    const total = exceeded.reduce((sum, sample) => sum + sample.value, 0)
    expect(total).toBeGreaterThanOrEqual(1)
    expect(total).toBeLessThanOrEqual(s.sweepsTimedOut! + 1)
  })

  it("labels every lifeline_* series exactly as docs/operations.md lists the metric", () => {
    const docs = fs.readFileSync(path.join(examplesDir, "..", "docs", "operations.md"), "utf8")
    const listed = MetricList.fromDocs(docs)
    const lifeline = samples().samples.filter((s) => s.name.startsWith("lifeline_"))
    expect(lifeline.length).toBeGreaterThan(0)
    for (const sample of lifeline) {
      const metric = listed.find((m) => MetricList.seriesOf(m).includes(sample.name))
      expect(metric, sample.name).toBeDefined()
      const labels = Object.keys(sample.labels).filter((l) => !(metric!.type === "histogram" && l === "le")).sort()
      expect(labels, sample.name).toEqual(metric!.labels)
    }
  })
})
