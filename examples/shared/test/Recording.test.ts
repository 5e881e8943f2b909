/**
 * What a replay records for the docs' charts stays bounded whatever the run does, keeps what a chart needs (the
 * peak, the first and last point), and is written as JSON that `deno fmt` leaves as it is.
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import * as Recording from "../Recording.ts"
import { examplesDir } from "../Spawn.ts"

const root = path.resolve(examplesDir, "..")

describe("the recorder", () => {
  it("a series sampled a million times stays bounded, and its written form keeps the peak, the first and the last", () => {
    const recorder = Recording.make()
    for (let t = 0; t < 1_000_000; t++) recorder.sample("rssMb", t === 777_777 ? 999 : 100 + (t % 7), t)
    const points = recorder.series()["rssMb"]!
    expect(points.length).toBeLessThanOrEqual(Recording.defaultLimits.maxPointsWritten)
    expect(points.length).toBeGreaterThan(Recording.defaultLimits.maxPointsWritten / 2)
    expect(points[0]).toEqual([0, 100])
    expect(points.at(-1)).toEqual([999_999, 100 + (999_999 % 7)])
    expect(Math.max(...points.map(([, v]) => v))).toBe(999)
    expect(points.map(([t]) => t)).toEqual([...points.map(([t]) => t)].sort((a, b) => a - b))
  })

  it("events past the bound, series past the bound and samples that are not numbers are counted, not kept", () => {
    const limits = { ...Recording.defaultLimits, maxEvents: 3, maxSeries: 2 }
    const recorder = Recording.make(limits)
    for (let i = 0; i < 10; i++) recorder.event("tick", { i }, i)
    recorder.sample("a", 1, 0)
    recorder.sample("b", 2, 0)
    recorder.sample("c", 3, 0)
    recorder.sample("a", Number.NaN, 1)
    recorder.sample("a", Infinity, 2)
    recorder.sample("a", "7" as unknown as number, 3)
    expect(recorder.events()).toHaveLength(3)
    expect(Object.keys(recorder.series())).toEqual(["a", "b"])
    expect(recorder.series()["a"]).toEqual([[0, 1]])
    expect(recorder.dropped()).toEqual({ events: 7, samples: 4 })
  })

  it("an event keeps a few short flat fields: long text is cut, a number that is not finite is null", () => {
    const recorder = Recording.make()
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]))
    recorder.event("x".repeat(10_000), { text: "y".repeat(10_000), nan: Number.NaN, ok: true, ...fields }, 1.6)
    const [event] = recorder.events()
    expect(event!.t).toBe(2)
    expect(event!.name.length).toBeLessThanOrEqual(Recording.defaultLimits.maxTextChars)
    expect(String(event!.data!["text"]).length).toBeLessThanOrEqual(Recording.defaultLimits.maxTextChars)
    expect(event!.data!["nan"]).toBeNull()
    expect(event!.data!["ok"]).toBe(true)
    expect(Object.keys(event!.data!).length).toBeLessThanOrEqual(Recording.defaultLimits.maxDataFields)
  })

  it("numbers are written rounded: whole milliseconds, four significant digits", () => {
    const recorder = Recording.make()
    recorder.sample("rssMb", 123.456789, 10.4)
    recorder.sample("bytes", 2_654_208, 10.6)
    expect(recorder.series()).toEqual({ rssMb: [[10, 123.5]], bytes: [[11, 2_654_000]] })
  })

  it("downsampling returns short series unchanged and never more points than asked for", () => {
    const short: ReadonlyArray<Recording.Point> = [[0, 1], [1, 2]]
    expect(Recording.downsample(short, 300)).toBe(short)
    const long = Array.from({ length: 10_001 }, (_, i): Recording.Point => [i, Math.sin(i / 100)])
    for (const target of [2, 3, 4, 10, 299, 300]) {
      expect(Recording.downsample(long, target).length).toBeLessThanOrEqual(target)
    }
  })

  it("strips --record and its file from the arguments a recording keeps", () => {
    expect(Recording.argsWithoutRecord(["--naive", "--record", "/tmp/x.json", "--mb", "8"])).toEqual([
      "--naive",
      "--mb",
      "8"
    ])
    expect(Recording.argsWithoutRecord(["--record=/tmp/x.json", "--wedge"])).toEqual(["--wedge"])
    expect(Recording.argsWithoutRecord(["--record", "--wedge"])).toEqual(["--wedge"])
  })
})

describe("the recording file", () => {
  const recording = (): Recording.Recording => {
    const recorder = Recording.make()
    for (let t = 0; t < 5_000; t += 10) recorder.sample("rssMb", 150 + Math.sqrt(t), t)
    for (let n = 1; n <= 40; n++) {
      recorder.event("sweep ended", { n, outcome: n % 6 === 0 ? "defect" : "succeeded", detail: "é ✓ \u001b[2J" }, n)
    }
    return {
      format: 1,
      example: "patrol-loop-stall",
      mode: "lifeline",
      args: [],
      watchdog: { afterMs: 20_000, outcome: "hung" },
      end: { t: 5_000, outcome: "ok", exitCode: 0, endedBy: "itself" },
      summary: {
        example: "patrol-loop-stall",
        mode: "lifeline",
        outcome: "ok",
        exitCode: 0,
        wallMs: 5_000,
        peakRssMb: 180,
        healthz: { "200": 30 },
        runners: [{ pod: "linux-large-1", linesWritten: 812, ended: "signal SIGKILL", nothing: {} }],
        empty: []
      },
      series: recorder.series(),
      events: recorder.events(),
      dropped: recorder.dropped()
    }
  }

  it("reads back as the same value", () => {
    const value = recording()
    expect(JSON.parse(Recording.toJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
  })

  it("is laid out as deno fmt lays it out, so a committed recording passes the formatting check", () => {
    const text = Recording.toJson(recording())
    const deno = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "deno.cmd" : "deno")
    const formatted = spawnSync(deno, ["fmt", "--config", path.join(root, "deno.json"), "--ext=json", "-"], {
      input: text,
      encoding: "utf8"
    })
    expect(formatted.status, formatted.stderr).toBe(0)
    expect(formatted.stdout).toBe(text)
    expect(Math.max(...text.split("\n").map((line) => line.length))).toBeLessThanOrEqual(120)
  })
})
