/**
 * The harness's lifecycle: how a run is judged, summarised and exited. In-process against a fake host (no
 * real timers: the watchdog fires when the test says so), then once as real processes, as a user sees it.
 */
import { Effect } from "effect"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { type Definition, exitCodeOf, type Host, parseArgs, start, type Summary } from "../Example.ts"
import type * as Recording from "../Recording.ts"
import { examplesDir, runScript } from "../Spawn.ts"

interface Figures {
  readonly sent: number
}

interface Ended {
  readonly summary: Summary & Partial<Figures>
  readonly lines: number
  readonly code: number
  readonly stderr: string
}

/** A host whose timers fire only when `fire` is called, and whose exit resolves `ended`. */
const fakeHost = (argv: ReadonlyArray<string>) => {
  const timers: Array<() => void> = []
  const intervals: Array<() => void> = []
  const stray: Array<(error: unknown) => void> = []
  let stdout = ""
  let stderr = ""
  let resolve: (ended: Ended) => void = () => {}
  const ended = new Promise<Ended>((r) => (resolve = r))
  let rss = 100 * 1024 * 1024
  let clock = 0
  const files = new Map<string, string>()
  const host: Host = {
    argv,
    now: () => clock,
    rss: () => rss,
    maxRss: () => 0,
    after: (_ms, f) => void timers.push(f),
    every: (_ms, f) => void intervals.push(f),
    stdout: (text, written) => {
      stdout += text
      written()
    },
    stderr: (text) => void (stderr += text),
    exit: (code) => {
      const lines = stdout.trimEnd().split("\n")
      resolve({ summary: JSON.parse(lines[0]!), lines: lines.length, code, stderr })
    },
    onStrayError: (f) => void stray.push(f),
    writeFile: (file, text) => {
      if (file.startsWith("/unwritable/")) throw new Error(`EACCES: permission denied, open '${file}'`)
      files.set(file, text)
    }
  }
  return {
    host,
    ended,
    files,
    tick: (ms: number) => void (clock += ms),
    fireWatchdog: () => timers.forEach((f) => f()),
    growTo: (mb: number) => {
      rss = mb * 1024 * 1024
      intervals.forEach((f) => f())
    },
    throwStray: (error: unknown) => stray.forEach((f) => f(error))
  }
}

const definition = (
  overrides: Partial<Definition<Figures, Figures, string>>
): Definition<Figures, Figures, string> => ({
  name: "fixture",
  naive: () => Effect.succeed({ sent: 1 }),
  lifeline: () => Effect.succeed({ sent: 2 }),
  judge: { naive: (f) => (f.sent > 1 ? "ok" : "lost-logs"), lifeline: (f) => (f.sent > 1 ? "ok" : "lost-logs") },
  watchdog: {
    naive: { afterMs: 1_000, maxRssMb: 300, outcome: "hung" },
    lifeline: { afterMs: 1_000, outcome: "stalled" }
  },
  ...overrides
})

describe("a run's outcome and exit code", () => {
  it("a run the judge finds ok exits 0 with its figures in the summary", async () => {
    const fake = fakeHost([])
    start(definition({}), fake.host)
    const { summary, code } = await fake.ended
    expect(summary).toMatchObject({ example: "fixture", mode: "lifeline", outcome: "ok", exitCode: 0, sent: 2 })
    expect(code).toBe(0)
  })

  it("a run that shows its incident exits 1", async () => {
    const fake = fakeHost(["--naive"])
    start(definition({}), fake.host)
    const { summary, code } = await fake.ended
    expect(summary).toMatchObject({ mode: "naive", outcome: "lost-logs", exitCode: 1, sent: 1 })
    expect(code).toBe(1)
  })

  it("a mode that fails is crashed, never ok: exit 70 and the error on stderr", async () => {
    const fake = fakeHost([])
    start(
      definition({ lifeline: () => Effect.fail(new Error("job exited with code 2 before it connected")) }),
      fake.host
    )
    const { summary, code, stderr } = await fake.ended
    expect(summary).toMatchObject({ outcome: "crashed", exitCode: 70 })
    expect(summary.error).toContain("job exited with code 2 before it connected")
    expect(code).toBe(70)
    expect(stderr).toContain("job exited with code 2 before it connected")
  })

  it("a mode that dies, or throws while it is being built, is crashed", async () => {
    const dies = fakeHost([])
    start(definition({ lifeline: () => Effect.die(new TypeError("undefined is not a function")) }), dies.host)
    expect((await dies.ended).summary).toMatchObject({ outcome: "crashed", exitCode: 70 })

    const throws = fakeHost([])
    start(
      definition({
        lifeline: () => {
          throw new RangeError("bad option")
        }
      }),
      throws.host
    )
    const ended = await throws.ended
    expect(ended.summary).toMatchObject({ outcome: "crashed", exitCode: 70, error: "RangeError: bad option" })
  })

  it("a judge that throws is crashed", async () => {
    const fake = fakeHost([])
    start(
      definition({
        judge: {
          naive: () => "ok",
          lifeline: () => {
            throw new Error("figure missing")
          }
        }
      }),
      fake.host
    )
    expect((await fake.ended).summary).toMatchObject({ outcome: "crashed", exitCode: 70 })
  })

  it("an error thrown outside the run (a stray callback) ends it at once as crashed", async () => {
    const fake = fakeHost([])
    start(definition({ lifeline: () => Effect.never }), fake.host)
    fake.throwStray(new Error("listen EADDRINUSE: address already in use"))
    const { summary, stderr } = await fake.ended
    expect(summary).toMatchObject({ outcome: "crashed", exitCode: 70 })
    expect(stderr).toContain("EADDRINUSE")
  })

  it("the time watchdog ends a run with its outcome, code 124 and the figures recorded so far", async () => {
    const fake = fakeHost([])
    start(
      definition({ lifeline: (ctx) => Effect.sync(() => ctx.record({ sent: 7 })).pipe(Effect.zipRight(Effect.never)) }),
      fake.host
    )
    await Effect.runPromise(Effect.yieldNow())
    fake.fireWatchdog()
    const { summary, code, lines } = await fake.ended
    expect(summary).toMatchObject({ outcome: "stalled", exitCode: 124, watchdog: "time", sent: 7 })
    expect(code).toBe(124)
    expect(lines).toBe(1)
  })

  it("the memory watchdog ends a run as oom", async () => {
    const fake = fakeHost(["--naive"])
    start(definition({ naive: () => Effect.never }), fake.host)
    fake.growTo(301)
    const { summary } = await fake.ended
    expect(summary).toMatchObject({ outcome: "oom", exitCode: 124, watchdog: "memory", peakRssMb: 301 })
  })

  it("prints exactly one summary line: the first ending wins", async () => {
    const fake = fakeHost([])
    start(definition({ lifeline: () => Effect.never }), fake.host)
    fake.fireWatchdog()
    fake.throwStray(new Error("late"))
    const { summary, lines } = await fake.ended
    expect(summary.outcome).toBe("stalled")
    expect(lines).toBe(1)
  })

  it("a figure cannot overwrite the summary's fixed fields", async () => {
    const fake = fakeHost([])
    start(
      definition({
        lifeline: (ctx) => {
          // A hostile figure: an untyped caller could record anything.
          ctx.record(JSON.parse(`{"outcome":"ok","exitCode":0,"example":"other"}`))
          return Effect.fail("boom")
        }
      }),
      fake.host
    )
    const { summary } = await fake.ended
    expect(summary).toMatchObject({ example: "fixture", outcome: "crashed", exitCode: 70 })
  })

  it("maps every way a run ends to one exit code", () => {
    expect(exitCodeOf("ok", "itself")).toBe(0)
    expect(exitCodeOf("stalled", "itself")).toBe(1)
    expect(exitCodeOf("fabricated-lines", "itself")).toBe(1)
    expect(exitCodeOf("hung", "time")).toBe(124)
    expect(exitCodeOf("oom", "memory")).toBe(124)
    expect(exitCodeOf("crashed", "crash")).toBe(70)
    expect(exitCodeOf("crashed", "itself")).toBe(70)
  })

  it("reads --flag, --key value and --key=value", () => {
    expect(parseArgs(["--naive", "--mb", "8", "--seed=3", "--wedge"])).toEqual({
      naive: true,
      mb: "8",
      seed: "3",
      wedge: true
    })
  })
})

describe("recording a run for the docs' charts", () => {
  const recorded = (fake: ReturnType<typeof fakeHost>, file: string): Recording.Recording =>
    JSON.parse(fake.files.get(file)!)

  it("with --record <file>, samples and events go to the file, stamped since the start; stdout has the summary only", async () => {
    const fake = fakeHost(["--record", "/tmp/run.json", "--wedge"])
    start(
      definition({
        lifeline: (ctx) =>
          Effect.sync(() => {
            fake.tick(250)
            ctx.sample("queued", 3)
            ctx.event("sweep started", { n: 1 })
            fake.tick(250)
            ctx.sample("queued", 0)
            ctx.event("sweep ended", { n: 1, outcome: "succeeded" })
            fake.tick(100)
            return { sent: 2 }
          })
      }),
      fake.host
    )
    const { summary, lines } = await fake.ended
    expect(lines).toBe(1)
    expect(summary).toMatchObject({ outcome: "ok", exitCode: 0 })
    const recording = recorded(fake, "/tmp/run.json")
    expect(recording).toMatchObject({
      format: 1,
      example: "fixture",
      mode: "lifeline",
      args: ["--wedge"],
      end: { t: 600, returned: 600, outcome: "ok", exitCode: 0, endedBy: "itself" },
      summary: { outcome: "ok", exitCode: 0, sent: 2 },
      dropped: { events: 0, samples: 0 }
    })
    expect(recording.series["queued"]).toEqual([[250, 3], [500, 0]])
    expect(recording.events).toEqual([
      { t: 250, name: "sweep started", data: { n: 1 } },
      { t: 500, name: "sweep ended", data: { n: 1, outcome: "succeeded" } }
    ])
    // The harness's own series: resident memory from the start to the end.
    expect(recording.series["rssMb"]!.at(0)).toEqual([0, 100])
    expect(recording.series["rssMb"]!.at(-1)).toEqual([600, 100])
  })

  it("without --record nothing is written", async () => {
    const fake = fakeHost([])
    start(definition({ lifeline: (ctx) => Effect.sync(() => (ctx.event("x"), { sent: 2 })) }), fake.host)
    await fake.ended
    expect(fake.files.size).toBe(0)
  })

  it("a run its watchdog ends still writes what it recorded, and that the watchdog ended it", async () => {
    const fake = fakeHost(["--naive", "--record=/tmp/oom.json"])
    start(
      definition({ naive: (ctx) => Effect.sync(() => ctx.event("job started")).pipe(Effect.zipRight(Effect.never)) }),
      fake.host
    )
    await Effect.runPromise(Effect.yieldNow())
    fake.tick(1_000)
    fake.growTo(301)
    await fake.ended
    const recording = recorded(fake, "/tmp/oom.json")
    expect(recording.end).toEqual({ t: 1_000, outcome: "oom", exitCode: 124, endedBy: "memory" })
    expect(recording.watchdog).toMatchObject({ maxRssMb: 300 })
    expect(recording.events.map((e) => e.name)).toEqual(["job started"])
    expect(Math.max(...recording.series["rssMb"]!.map(([, mb]) => mb))).toBe(301)
  })

  it("a recording that cannot be written leaves the verdict as it is and says why on stderr", async () => {
    const fake = fakeHost(["--record", "/unwritable/run.json"])
    start(definition({}), fake.host)
    const { summary, code, stderr } = await fake.ended
    expect(summary).toMatchObject({ outcome: "ok", exitCode: 0 })
    expect(code).toBe(0)
    expect(stderr).toContain("the recording was not written: Error: EACCES")
  })

  it("--record without a file is refused on stderr, and the run is judged as usual", async () => {
    const fake = fakeHost(["--record"])
    start(definition({}), fake.host)
    const { summary, stderr } = await fake.ended
    expect(summary).toMatchObject({ outcome: "ok" })
    expect(stderr).toContain("--record needs a file")
    expect(fake.files.size).toBe(0)
  })
})

describe("a crashing example, as a real process", () => {
  const fixture = path.join(examplesDir, "shared", "test", "fixtures", "crashing.ts")

  it("prints crashed, exits 70 and writes the error to stderr, within seconds rather than at its watchdog", async () => {
    const [failed, stray] = await Promise.all([
      runScript(fixture, [], { killAfterMs: 60_000 }),
      runScript(fixture, ["--naive"], { killAfterMs: 60_000 })
    ])
    for (const run of [failed, stray]) {
      console.log(`${run.summary?.mode}: ${JSON.stringify(run.summary)} in ${run.wallMs} ms`)
      expect(run.summary, run.stderr).toMatchObject({ outcome: "crashed", exitCode: 70 })
      expect(run.code).toBe(70)
      // The watchdog is at 30 s: the crash is reported when it happens.
      expect(run.wallMs).toBeLessThan(20_000)
    }
    expect(failed.stderr).toContain("the environment could not start: port 4000 in use")
    expect(stray.stderr).toContain("EADDRINUSE")
  })
})
