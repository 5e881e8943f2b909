/**
 * `Main.run` in real processes of Node, Deno and Bun, with real signals. Bounds are generous (a busy CI machine
 * with two cores); the measured figures are printed.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { killAll, type RuntimeName, runToEnd, start } from "./processes.ts"

const runtimes: ReadonlyArray<RuntimeName> = ["node", "deno", "bun"]

afterAll(killAll)

describe.concurrent.each(runtimes)("Main.run on %s", (runtime) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} interrupts the program, runs its finalizers, and exits 0`, async () => {
      const child = await start(runtime, "main", "signal")
      await child.waitFor("ready")
      const sent = child.kill(signal)
      const ended = await child.exited
      console.log(`${runtime} ${signal} → exit ${ended.code} in ${(ended.at - sent).toFixed(0)} ms`)
      expect(ended.code).toBe(0)
      expect(ended.stdout).toContain("finalizer ran")
      expect(ended.summary).toMatchObject({ event: "exit", code: 0, reason: "signal", signal })
    })
  }

  it("a finalizer that never ends: exit 124 at the grace period, naming what was still running", async () => {
    const child = await start(runtime, "main", "hung-finalizer")
    await child.waitFor("ready")
    const sent = child.kill("SIGTERM")
    const ended = await child.exited
    const afterSignal = ended.at - sent
    console.log(
      `${runtime} hung finalizer, grace 1 s: exit ${ended.code} ${afterSignal.toFixed(0)} ms after SIGTERM;`,
      `stillRunning ${JSON.stringify(ended.summary?.stillRunning)}`
    )
    expect(ended.code).toBe(124)
    expect(afterSignal).toBeGreaterThanOrEqual(950)
    expect(afterSignal).toBeLessThan(4000)
    expect(ended.summary).toMatchObject({ code: 124, reason: "grace-exceeded", signal: "SIGTERM" })
    expect(ended.summary!.stillRunning![0]).toMatch(/^#\d+ shutdown > flush-logs$/)
    expect(ended.summary!.stillRunning).toContainEqual(expect.stringMatching(/^#\d+ dispatcher$/))
  })

  it("a second signal during the grace period exits at once", async () => {
    const child = await start(runtime, "main", "second-signal")
    await child.waitFor("ready")
    child.kill("SIGTERM")
    await child.waitFor("finalizing")
    expect(await child.aliveAfter(300)).toBe(true)
    const second = child.kill("SIGTERM")
    const ended = await child.exited
    console.log(`${runtime} second SIGTERM (grace 20 s) → exit ${ended.code} in ${(ended.at - second).toFixed(0)} ms`)
    expect(ended.code).toBe(124)
    expect(ended.at - second).toBeLessThan(1500)
    expect(ended.summary).toMatchObject({ code: 124, reason: "grace-exceeded", signal: "SIGTERM" })
  })

  it("runFor ends the program when it elapses and exits 0 with reason duration", async () => {
    const ended = await runToEnd(runtime, "main", "run-for")
    console.log(`${runtime} runFor 300 ms → exit ${ended.code}, summary elapsedMs ${ended.summary?.elapsedMs}`)
    expect(ended.code).toBe(0)
    expect(ended.stdout).toContain("finalizer ran")
    expect(ended.summary).toMatchObject({ code: 0, reason: "duration" })
    expect(ended.summary!.elapsedMs).toBeGreaterThanOrEqual(295)
    expect(ended.summary).not.toHaveProperty("signal")
  })

  it("a typed failure exits with codes.failure, or with its byTag code", async () => {
    const [plain, mapped] = await Promise.all([
      runToEnd(runtime, "main", "failure"),
      runToEnd(runtime, "main", "failure-by-tag")
    ])
    expect([plain.code, plain.summary?.reason]).toEqual([1, "failed"])
    expect([mapped.code, mapped.summary?.reason]).toEqual([75, "failed"])
    expect(plain.stdout).toContain("SendFailed")
  })

  it("a defect in the program exits 70", async () => {
    const ended = await runToEnd(runtime, "main", "defect")
    expect([ended.code, ended.summary?.reason]).toEqual([70, "defect"])
    expect(ended.stdout).toContain("bug in the program")
  })

  it("a success with a leaked interval and daemon fiber exits at once", async () => {
    const ended = await runToEnd(runtime, "main", "leaked-timer")
    console.log(`${runtime} success with a leaked timer: exit ${ended.code}, ${ended.wallMs.toFixed(0)} ms wall`)
    expect(ended.code).toBe(0)
    expect(ended.stdout).toContain("done")
    expect(ended.summary).toMatchObject({ code: 0, reason: "completed" })
    expect(ended.summary!.elapsedMs).toBeLessThan(1000)
  })

  it("a program that completes synchronously had its listeners before it ran, and none are left at the exit", async () => {
    const ended = await runToEnd(runtime, "main", "sync")
    expect(ended.code).toBe(0)
    expect(ended.stdout).toContain(`while running: {"SIGTERM":1,"SIGINT":1,"crash":2}`)
    expect(ended.stdout).toContain(`at exit 0: {"SIGTERM":0,"SIGINT":0,"crash":0}`)
  })

  for (const scenario of ["uncaught", "unhandled-rejection"] as const) {
    it(`${scenario === "uncaught" ? "an uncaught exception" : "an unhandled rejection"} from a stray callback runs the finalizers and exits 70`, async () => {
      const ended = await runToEnd(runtime, "main", scenario)
      expect(ended.code).toBe(70)
      expect(ended.stdout).toContain("finalizer ran")
      expect(ended.stdout).toContain(scenario === "uncaught" ? "stray callback" : "stray promise")
      expect(ended.summary).toMatchObject({ code: 70, reason: "defect" })
    })
  }

  it("bad options never start the program: the error names the option, exit 2", async () => {
    const [grace, signal] = await Promise.all([
      runToEnd(runtime, "main", "invalid-grace"),
      runToEnd(runtime, "main", "invalid-signal")
    ])
    expect(grace.code).toBe(2)
    expect(grace.stderr).toContain(
      "@lifeline/exit: invalid options: gracePeriod: must be a finite duration ≥ 0 (got -1)"
    )
    expect(grace.summary).toEqual({ event: "exit", code: 2, reason: "failed", elapsedMs: 0 })
    expect(grace.stdout).not.toContain("ready")
    expect(signal.code).toBe(2)
    expect(signal.stderr).toContain(`signals[0]: must be one of`)
  })
})

describe("Main.readinessApp in a real process", () => {
  it("/readyz answers 200, then 503 from the SIGTERM while the program drains, then the process exits 0", async () => {
    const child = await start("node", "main", "readiness")
    await child.waitFor("ready ")
    const port = Number(/ready (\d+)/.exec(child.stdout())![1])
    const probe = () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.text().then(() => r.status))
    expect(await probe()).toBe(200)
    child.kill("SIGTERM")
    await child.waitFor("draining")
    const during = [await probe(), await probe()]
    console.log(`node /readyz during the drain: ${during}`)
    expect(during).toEqual([503, 503])
    const ended = await child.exited
    expect(ended.code).toBe(0)
    expect(ended.summary).toMatchObject({ reason: "signal", signal: "SIGTERM" })
  })
})
