/**
 * Where Effect's own boundary, `NodeRuntime.runMain`, falls short, measured in real processes on Node and
 * Deno next to `Main.run` in the same situation. These tests pin the baseline that motivates the package: if
 * a future Effect fixes one of them, its test fails and the docs must change.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import { killAll, releaseFile, type RuntimeName, runToEnd, start } from "./processes.ts"

const runtimes: ReadonlyArray<RuntimeName> = ["node", "deno"]

afterAll(killAll)

describe.concurrent.each(runtimes)("NodeRuntime.runMain on %s", (runtime) => {
  it("has no grace period: with a finalizer that never ends it is still alive 3 s after SIGTERM", async () => {
    const child = await start(runtime, "runMain", "hung-finalizer")
    await child.waitFor("ready")
    child.kill("SIGTERM")
    await child.waitFor("finalizing")
    const alive = await child.aliveAfter(3000)
    console.log(
      `${runtime} runMain, hung finalizer: alive 3 s after SIGTERM: ${alive} (Main.run: exit 124 at gracePeriod)`
    )
    expect(alive).toBe(true)
    child.kill("SIGKILL")
  })

  it("does not exit after a plain success while a leaked interval is pending", async () => {
    const child = await start(runtime, "runMain", "leaked-timer")
    await child.waitFor("done")
    const alive = await child.aliveAfter(2000)
    console.log(`${runtime} runMain, success with a leaked timer: alive 2 s later: ${alive} (Main.run: exits at once)`)
    expect(alive).toBe(true)
    child.kill("SIGKILL")
  })

  it("swallows the first SIGTERM after a program that completed synchronously", async () => {
    const child = await start(runtime, "runMain", "sync")
    await child.waitFor("ready")
    child.kill("SIGTERM")
    const alive = await child.aliveAfter(1500)
    console.log(`${runtime} runMain, synchronous program: alive 1.5 s after SIGTERM: ${alive}`)
    expect(alive).toBe(true)
    child.kill("SIGTERM")
    const ended = await child.exited
    // Only the second SIGTERM, with nobody listening any more, ends it: by the signal, without a code.
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: null, signal: "SIGTERM" })
  })

  it("a SIGTERM during the program's synchronous start kills the process with its finalizers skipped; Main.run shuts it down", async () => {
    const release = releaseFile(runtime)
    const env = { LIFELINE_EXIT_RELEASE: release }
    const [baseline, main] = await Promise.all([
      start(runtime, "runMain", "busy-start", env),
      start(runtime, "main", "busy-start", env)
    ])
    await Promise.all([baseline.waitFor("ready"), main.waitFor("ready")])
    baseline.kill("SIGTERM")
    main.kill("SIGTERM")
    fs.writeFileSync(release, "") // the start-ups end only now, after the signals
    const [b, m] = await Promise.all([baseline.exited, main.exited])
    console.log(
      `${runtime} SIGTERM during a synchronous start: runMain → ${b.code ?? b.signal},`,
      `Main.run → ${m.code} (${m.summary?.reason})`
    )
    expect({ code: b.code, signal: b.signal, finalizer: b.stdout.includes("finalizer ran") }).toEqual({
      code: null,
      signal: "SIGTERM",
      finalizer: false
    })
    expect({ code: m.code, finalizer: m.stdout.includes("finalizer ran") }).toEqual({ code: 0, finalizer: true })
  })

  it("an uncaught exception in a stray callback ends the process at once with its finalizers skipped", async () => {
    const ended = await runToEnd(runtime, "runMain", "uncaught")
    console.log(
      `${runtime} runMain, stray exception → exit ${ended.code}; finalizer ran: ${
        ended.stdout.includes("finalizer ran")
      }`
    )
    expect(ended.code).toBe(1)
    expect(ended.stdout).toContain("ready")
    expect(ended.stdout).not.toContain("finalizer ran")
  })

  it("maps a run duration written with Effect.timeout to exit 1; Main.run's runFor makes it 0", async () => {
    const [baseline, timeout, runFor] = await Promise.all([
      runToEnd(runtime, "runMain", "timeout"),
      runToEnd(runtime, "main", "timeout"),
      runToEnd(runtime, "main", "run-for")
    ])
    console.log(
      `${runtime} run duration: runMain + Effect.timeout → ${baseline.code};`,
      `Main.run + Effect.timeout → ${timeout.code}; Main.run + runFor → ${runFor.code}`
    )
    expect(baseline.code).toBe(1)
    // The policy agrees that a TimeoutException is a failure; the run duration belongs in runFor (or byTag).
    expect(timeout.code).toBe(1)
    expect(runFor.code).toBe(0)
  })
})
