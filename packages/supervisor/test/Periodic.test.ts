import { describe, expect, it } from "@effect/vitest"
import { Supervisor } from "@lifeline/supervisor"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { advance, makeCapturedLogs, now } from "@lifeline/test-kit"

const secs = (s: number) => s * 1000

describe("Supervisor.periodic", () => {
  it.scoped("runs the job at once and then on every tick of a fixed cadence", () =>
    Effect.gen(function* () {
      const starts: Array<number> = []
      const sup = yield* Supervisor.make({ name: "cadence" })
      yield* Supervisor.periodic(sup, "job", Effect.flatMap(now, (t) => Effect.sync(() => starts.push(t))), {
        every: "1 second",
        timeout: "500 millis"
      })
      yield* advance("10 seconds", "100 millis")
      expect(starts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(secs))
      const report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(true)
      expect(report.children[0]).toMatchObject({ name: "job", kind: "periodic", state: "running", missedTicks: 0 })
      expect(report.children[0]!.lastSuccessAt?.getTime()).toBe(secs(10))
    }))

  it.scoped("a run that hangs is cut at its timeout, logged at Error, and the next run starts on time", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const starts: Array<number> = []
      let n = 0
      const job = Effect.gen(function* () {
        starts.push(yield* now)
        n++
        if (n === 2 || n === 4) yield* Effect.never
      })
      const sup = yield* Supervisor.make({ name: "hangs" })
      yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "300 millis" }).pipe(
        Effect.provide(logs.layer)
      )
      yield* advance("5500 millis")
      expect(starts).toEqual([0, 1, 2, 3, 4, 5].map(secs))
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child.state).toBe("running")
      expect(child.missedTicks).toBe(0)
      expect(child.consecutiveFailures).toBe(0)
      expect(child.lastFailure).toMatchObject({ kind: "timeout" })
      expect(child.lastFailure!.at.getTime()).toBe(secs(3) + 300)
      const errors = logs.entries.filter((e) => e.level === "ERROR")
      expect(errors).toHaveLength(2)
      expect(errors[0]!.message).toContain("timed out")
      expect(errors[0]!.cause).toContain("DeadlineExceeded")
      expect(errors[0]!.annotations).toMatchObject({ supervisor: "hangs", child: "sweep", outcome: "timeout" })
    }))

  it.scoped("a run stuck in uninterruptible code is abandoned and the loop goes on; later successes make it healthy again", () =>
    Effect.gen(function* () {
      let n = 0
      const starts: Array<number> = []
      const job = Effect.gen(function* () {
        starts.push(yield* now)
        n++
        if (n === 2) yield* Effect.uninterruptible(Effect.never)
      })
      const sup = yield* Supervisor.make({ name: "wedged" })
      yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "300 millis", grace: "1 second" })
      // The run of t=1 s is given up at 1 + 0.3 + 1 s; tick 2 passed meanwhile, and the next run is due at 3 s.
      yield* advance("2500 millis")
      let report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(false)
      expect(report.children[0]).toMatchObject({ state: "stalled", missedTicks: 1, abandonedRuns: 1 })
      expect(report.children[0]!.lastFailure).toMatchObject({ kind: "timeout" })
      // The loop has moved on: the wedged work still runs, but a run that succeeds is progress.
      yield* advance("1 second")
      report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(true)
      expect(report.children[0]).toMatchObject({ state: "running", abandonedRuns: 1, consecutiveFailures: 0 })
      yield* advance("1 minute", "1 second")
      expect(starts.slice(0, 5)).toEqual([0, 1, 3, 4, 5].map(secs))
      report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(true)
      expect(report.children[0]).toMatchObject({ state: "running", abandonedRuns: 1, missedTicks: 1 })
    }))

  it.scoped("a wedged run that ends by itself before the next tick stops counting as in progress", () =>
    Effect.gen(function* () {
      let n = 0
      const job = Effect.suspend(() => ++n === 1 ? Effect.uninterruptible(Effect.sleep("3 seconds")) : Effect.void)
      const sup = yield* Supervisor.make({ name: "wedged-briefly" })
      yield* Supervisor.periodic(sup, "sweep", job, {
        every: "1 minute",
        timeout: "1 second",
        grace: "1 second",
        staleAfter: "1 hour"
      })
      yield* advance("2500 millis")
      expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({ state: "stalled", abandonedRuns: 1 })
      yield* advance("1 second")
      expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({ state: "running", abandonedRuns: 1 })
    }))

  it.scoped("a defect in a run is logged at Error with its stack and the loop goes on", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      let n = 0
      const job = Effect.sync(() => {
        n++
        if (n === 2) throw new Error("analyze exploded")
      })
      const sup = yield* Supervisor.make({ name: "defects" })
      yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "500 millis" }).pipe(
        Effect.provide(logs.layer)
      )
      yield* advance("4500 millis")
      expect(n).toBe(5)
      const errors = logs.entries.filter((e) => e.level === "ERROR")
      expect(errors).toHaveLength(1)
      expect(errors[0]!.message).toContain("died with a defect")
      expect(errors[0]!.cause).toContain("analyze exploded")
      expect(errors[0]!.cause).toMatch(/\n\s+at /)
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child.lastFailure).toMatchObject({ kind: "defect", message: "analyze exploded" })
      expect(child.consecutiveFailures).toBe(0)
      const defects = yield* Metric.value(
        Supervisor.runsTotal.pipe(
          Metric.tagged("supervisor", "defects"),
          Metric.tagged("child", "sweep"),
          Metric.tagged("outcome", "defect")
        )
      )
      expect(defects.count).toBe(1)
    }))

  it.scoped("a job that throws anything synchronously is a defect: logged at Error, counted, and the loop goes on", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const circular: Record<string, unknown> = {}
      circular["self"] = circular
      const thrown: ReadonlyArray<unknown> = [
        "a string",
        undefined,
        // Reading its message throws: rendering the error must not end the loop.
        {
          get message(): string {
            throw new Error("message getter exploded")
          }
        },
        circular,
        new Error("x".repeat(1_000_000))
      ]
      let n = 0
      const job = Effect.sync(() => {
        const i = n++
        if (i < thrown.length) throw thrown[i]
      })
      const sup = yield* Supervisor.make({ name: "throws" })
      yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "500 millis" }).pipe(
        Effect.provide(logs.replace)
      )
      yield* advance("6500 millis")
      expect(n).toBe(7)
      expect(logs.find("ERROR", "died with a defect")).toHaveLength(thrown.length)
      const defects = yield* Metric.value(
        Supervisor.runsTotal.pipe(
          Metric.tagged("supervisor", "throws"),
          Metric.tagged("child", "sweep"),
          Metric.tagged("outcome", "defect")
        )
      )
      expect(defects.count).toBe(thrown.length)
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child).toMatchObject({ state: "running", consecutiveFailures: 0, lastFailure: { kind: "defect" } })
      // The report stays small whatever was thrown.
      expect(child.lastFailure!.message.length).toBeLessThanOrEqual(1024)
    }))

  it.scoped("a typed failure is logged at Error with the error and counted", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const sup = yield* Supervisor.make({ name: "failures" })
      yield* Supervisor.periodic(sup, "sweep", Effect.fail({ _tag: "AlertApiDown", status: 502 }), {
        every: "1 second",
        timeout: "500 millis"
      }).pipe(Effect.provide(logs.layer))
      yield* advance("2500 millis")
      const errors = logs.entries.filter((e) => e.level === "ERROR")
      expect(errors).toHaveLength(3)
      expect(errors[0]!.cause).toContain("AlertApiDown")
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child.consecutiveFailures).toBe(3)
      expect(child.lastFailure).toMatchObject({ kind: "failure" })
      const failures = yield* Metric.value(
        Supervisor.runsTotal.pipe(
          Metric.tagged("supervisor", "failures"),
          Metric.tagged("child", "sweep"),
          Metric.tagged("outcome", "failure")
        )
      )
      expect(failures.count).toBe(3)
    }))

  describe("overrun", () => {
    // The run due at t=1 s takes 2.5 s: the ticks at 2 s and 3 s pass while it runs.
    const overrunning = Effect.gen(function* () {
      const starts: Array<number> = []
      let n = 0
      const job = Effect.gen(function* () {
        starts.push(yield* now)
        n++
        if (n === 2) yield* Effect.sleep("2500 millis")
      })
      return { starts, job }
    })

    it.scoped("skip: ticks passed during an overrun are missed and counted; the grid is kept", () =>
      Effect.gen(function* () {
        const logs = makeCapturedLogs()
        const { job, starts } = yield* overrunning
        const sup = yield* Supervisor.make({ name: "overrun-skip" })
        yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "5 seconds", overrun: "skip" })
          .pipe(Effect.provide(logs.layer))
        yield* advance("6500 millis")
        expect(starts).toEqual([0, 1, 4, 5, 6].map(secs))
        expect((yield* Supervisor.health(sup)).children[0]!.missedTicks).toBe(2)
        const missed = yield* Metric.value(
          Supervisor.missedTicksTotal.pipe(Metric.tagged("supervisor", "overrun-skip"), Metric.tagged("child", "sweep"))
        )
        expect(missed.count).toBe(2)
        const warnings = logs.entries.filter((e) => e.level === "WARN")
        expect(warnings).toHaveLength(1)
        expect(warnings[0]!.message).toContain("2 tick(s) missed")
      }))

    it.scoped("run-late: one run starts at once for the passed ticks, the others are counted as missed", () =>
      Effect.gen(function* () {
        const { job, starts } = yield* overrunning
        const sup = yield* Supervisor.make({ name: "overrun-late" })
        yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "5 seconds", overrun: "run-late" })
        yield* advance("6500 millis")
        expect(starts).toEqual([0, 1, 3.5, 4, 5, 6].map(secs))
        expect((yield* Supervisor.health(sup)).children[0]!.missedTicks).toBe(1)
      }))

    it.scoped("a run that ends exactly on the next tick misses nothing", () =>
      Effect.gen(function* () {
        const starts: Array<number> = []
        const job = Effect.gen(function* () {
          starts.push(yield* now)
          yield* Effect.sleep("1 second")
        })
        const sup = yield* Supervisor.make({ name: "overrun-exact" })
        yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "5 seconds" })
        yield* advance("3500 millis")
        expect(starts).toEqual([0, 1, 2, 3].map(secs))
        expect((yield* Supervisor.health(sup)).children[0]!.missedTicks).toBe(0)
      }))
  })

  describe("stalled", () => {
    it.scoped("no success for staleAfter (default 3 × every + timeout) is stalled; a later success recovers", () =>
      Effect.gen(function* () {
        let n = 0
        const job = Effect.suspend(() => ++n <= 5 ? Effect.fail("collector down") : Effect.void)
        const sup = yield* Supervisor.make({ name: "stale" })
        yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "500 millis" })
        yield* advance("3400 millis")
        expect((yield* Supervisor.health(sup)).children[0]!.state).toBe("running")
        yield* advance("200 millis")
        let report = yield* Supervisor.health(sup)
        expect(report.healthy).toBe(false)
        expect(report.children[0]).toMatchObject({ state: "stalled", consecutiveFailures: 4, lastSuccessAt: null })
        // Run 6, at t=5 s, succeeds.
        yield* advance("1500 millis")
        report = yield* Supervisor.health(sup)
        expect(report.healthy).toBe(true)
        expect(report.children[0]).toMatchObject({ state: "running", consecutiveFailures: 0 })
        expect(report.children[0]!.lastSuccessAt?.getTime()).toBe(secs(5))
      }))

    it.scoped("staleAfter can be set explicitly", () =>
      Effect.gen(function* () {
        const sup = yield* Supervisor.make({ name: "stale-explicit" })
        yield* Supervisor.periodic(sup, "sweep", Effect.fail("down"), {
          every: "1 second",
          timeout: "500 millis",
          staleAfter: "10 seconds"
        })
        yield* advance("9900 millis", "100 millis")
        expect((yield* Supervisor.health(sup)).children[0]!.state).toBe("running")
        yield* advance("200 millis")
        expect((yield* Supervisor.health(sup)).children[0]!.state).toBe("stalled")
      }))

    it.scoped("a run in progress longer than timeout + grace is stalled even before staleAfter", () =>
      Effect.gen(function* () {
        const sup = yield* Supervisor.make({ name: "stall-inflight" })
        yield* Supervisor.periodic(sup, "sweep", Effect.uninterruptible(Effect.never), {
          every: "1 minute",
          timeout: "1 second",
          grace: "500 millis",
          staleAfter: "1 hour"
        })
        yield* advance("1400 millis")
        expect((yield* Supervisor.health(sup)).children[0]!.state).toBe("running")
        yield* advance("200 millis")
        expect((yield* Supervisor.health(sup)).children[0]!.state).toBe("stalled")
      }))
  })

  it.scoped("data-last form starts the same child", () =>
    Effect.gen(function* () {
      let runs = 0
      const sup = yield* Supervisor.make({ name: "data-last" })
      yield* sup.pipe(
        Supervisor.periodic("sweep", Effect.sync(() => runs++), { every: "1 second", timeout: "100 millis" })
      )
      yield* advance("2500 millis")
      expect(runs).toBe(3)
    }))
})
