import { describe, expect, it } from "@effect/vitest"
import { Supervisor } from "@lifeline/supervisor"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import { advance, makeCapturedLogs, now } from "@lifeline/test-kit"

const secs = (s: number) => s * 1000

/** Runs of a keep-alive child that each last `durations[i]` seconds and then fail; the last one runs forever. */
const failingAfter = (durations: ReadonlyArray<number>) => {
  let i = 0
  return Effect.suspend(() => {
    const d = durations[i++]
    return d === undefined ? Effect.never : Effect.zipRight(Effect.sleep(Duration.seconds(d)), Effect.fail("crash"))
  })
}

describe("Supervisor.keepAlive", () => {
  it.scoped("an end by success, by failure and by defect each restarts the child after the schedule's delay", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const starts: Array<number> = []
      let i = 0
      const child = Effect.gen(function* () {
        starts.push(yield* now)
        i++
        yield* Effect.sleep("1 second")
        if (i === 1) return "done"
        if (i === 2) return yield* Effect.fail("consumer lost its connection")
        if (i === 3) throw new Error("consumer exploded")
        return yield* Effect.never
      })
      const sup = yield* Supervisor.make({ name: "keep" })
      yield* Supervisor.keepAlive(sup, "consumer", child, { restart: Schedule.spaced("2 seconds") }).pipe(
        Effect.provide(logs.layer)
      )
      yield* advance("1500 millis")
      let health = (yield* Supervisor.health(sup)).children[0]!
      expect(health).toMatchObject({ kind: "keep-alive", state: "backing-off", restarts: 0 })
      expect((yield* Supervisor.health(sup)).healthy).toBe(true)
      yield* advance("2000 millis")
      health = (yield* Supervisor.health(sup)).children[0]!
      expect(health).toMatchObject({ state: "running", restarts: 1 })
      yield* advance("6500 millis")
      expect(starts).toEqual([0, 3, 6, 9].map(secs))
      health = (yield* Supervisor.health(sup)).children[0]!
      expect(health).toMatchObject({ state: "running", restarts: 3, consecutiveFailures: 2 })
      expect(health.lastSuccessAt?.getTime()).toBe(secs(1))
      expect(health.lastFailure).toMatchObject({ kind: "defect", message: "consumer exploded" })
      const ends = logs.entries.filter((e) => e.message.includes("restarting it"))
      expect(ends.map((e) => e.level)).toEqual(["WARN", "ERROR", "ERROR"])
      expect(ends[1]!.cause).toContain("consumer lost its connection")
      expect(ends[2]!.cause).toContain("consumer exploded")
      expect(ends[2]!.cause).toMatch(/\n\s+at /)
      expect(ends[2]!.annotations).toMatchObject({ supervisor: "keep", child: "consumer" })
      const restarts = yield* Metric.value(
        Supervisor.restartsTotal.pipe(Metric.tagged("supervisor", "keep"), Metric.tagged("child", "consumer"))
      )
      expect(restarts.count).toBe(3)
    }))

  it.scoped("an end by an interruption from within restarts the child too", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      let runs = 0
      const sup = yield* Supervisor.make({ name: "self-interrupt" })
      yield* Supervisor.keepAlive(sup, "c", Effect.suspend(() => ++runs === 1 ? Effect.interrupt : Effect.never), {
        restart: Schedule.spaced("1 second")
      }).pipe(Effect.provide(logs.layer))
      yield* advance("1500 millis")
      expect(runs).toBe(2)
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child).toMatchObject({ state: "running", restarts: 1, lastFailure: { kind: "interrupted" } })
      expect(logs.entries.filter((e) => e.level === "ERROR").map((e) => e.message)).toEqual([
        "keep-alive child c was interrupted from within; restarting it"
      ])
    }))

  it.scoped("the default restart schedule is exponential from 100 ms, jittered, and capped at 30 s", () =>
    Effect.gen(function* () {
      const starts: Array<number> = []
      const sup = yield* Supervisor.make({ name: "default-backoff" })
      yield* Supervisor.keepAlive(sup, "crasher", Effect.flatMap(now, (t) => Effect.sync(() => starts.push(t))))
      yield* advance("3 minutes", "1 second")
      const delays = starts.slice(1).map((t, i) => t - starts[i]!)
      expect(delays.length).toBeGreaterThan(10)
      expect(delays[0]).toBeGreaterThanOrEqual(80)
      expect(delays[0]).toBeLessThanOrEqual(120)
      expect(delays[1]).toBeGreaterThanOrEqual(160)
      expect(delays[1]).toBeLessThanOrEqual(240)
      // Start times add up jittered, fractional delays: compare with a float tolerance.
      expect(Math.max(...delays)).toBeLessThanOrEqual(30_000 + 1e-6)
      expect(delays.at(-1)).toBeCloseTo(30_000, 6)
    }))

  it.scoped("a run that lasted resetAfter starts the backoff over", () =>
    Effect.gen(function* () {
      const starts: Array<number> = []
      let i = 0
      const child = Effect.gen(function* () {
        starts.push(yield* now)
        i++
        if (i === 4) yield* Effect.sleep("10 seconds")
        return yield* Effect.fail("crash")
      })
      const sup = yield* Supervisor.make({ name: "reset" })
      yield* Supervisor.keepAlive(sup, "crasher", child, {
        restart: Schedule.exponential("1 second"),
        resetAfter: "5 seconds"
      })
      yield* advance("20 seconds")
      // Delays 1, 2, 4 s; run 4 lasts 10 s so the next delay is 1 s again.
      expect(starts.slice(0, 6)).toEqual([0, 1, 3, 7, 18, 20].map(secs))
    }))

  it.scoped("a restart schedule that is done gives the child up: failed and unhealthy", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      let runs = 0
      const sup = yield* Supervisor.make({ name: "give-up" })
      yield* Supervisor.keepAlive(sup, "once", Effect.sync(() => runs++).pipe(Effect.zipRight(Effect.fail("x"))), {
        restart: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
      }).pipe(Effect.provide(logs.layer))
      yield* advance("5 seconds")
      expect(runs).toBe(3)
      const report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(false)
      expect(report.children[0]).toMatchObject({ state: "failed", restarts: 2 })
      expect(logs.entries.some((e) => e.level === "ERROR" && e.message.includes("giving the child up"))).toBe(true)
    }))

  it.scoped("a child that throws an unprintable error is a defect like any other and is restarted", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      let runs = 0
      const child = Effect.suspend(() => {
        if (++runs > 2) return Effect.never
        return Effect.sync(() => {
          throw {
            get message(): string {
              throw new Error("message getter exploded")
            }
          }
        })
      })
      const sup = yield* Supervisor.make({ name: "unprintable" })
      yield* Supervisor.keepAlive(sup, "c", child, { restart: Schedule.spaced("1 second") }).pipe(
        Effect.provide(logs.replace)
      )
      yield* advance("2500 millis")
      expect(runs).toBe(3)
      expect(logs.find("ERROR", "died with a defect")).toHaveLength(2)
      expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({
        state: "running",
        restarts: 2,
        lastFailure: { kind: "defect" }
      })
    }))

  it.scoped("a restart schedule that throws gives the child up with an Error log instead of a silently dead loop", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const restart = Schedule.spaced("1 second").pipe(
        Schedule.map((n) => {
          if (n >= 1) throw new Error("schedule exploded")
          return n
        })
      )
      let runs = 0
      const sup = yield* Supervisor.make({ name: "bad-schedule" })
      yield* Supervisor.keepAlive(
        sup,
        "c",
        Effect.suspend(() => {
          runs++
          return Effect.fail("crash")
        }),
        { restart }
      ).pipe(
        Effect.provide(logs.replace)
      )
      yield* advance("5 seconds")
      expect(runs).toBe(2)
      const report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(false)
      expect(report.children[0]).toMatchObject({ state: "failed", restarts: 1 })
      const given = logs.find("ERROR", "restart schedule")
      expect(given).toHaveLength(1)
      expect(given[0]!.cause).toContain("schedule exploded")
    }))

  it.scoped("data-last form starts the same child", () =>
    Effect.gen(function* () {
      let runs = 0
      const sup = yield* Supervisor.make({ name: "keep-data-last" })
      yield* sup.pipe(Supervisor.keepAlive("c", Effect.sync(() => runs++), { restart: Schedule.spaced("1 second") }))
      yield* advance("2500 millis")
      expect(runs).toBe(3)
    }))
})

describe("restart intensity", () => {
  it.scoped("more than maxRestarts restarts within the window escalate: join fails and every child stops", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      let sweeps = 0
      const sup = yield* Supervisor.make({ name: "intense", intensity: { maxRestarts: 3, within: "10 seconds" } })
      yield* Supervisor.periodic(sup, "sweep", Effect.sync(() => sweeps++), { every: "1 second", timeout: "1 second" })
      yield* Supervisor.keepAlive(sup, "crasher", Effect.fail("bad config"), { restart: Schedule.spaced("1 second") })
        .pipe(Effect.provide(logs.layer))
      const joined = yield* Effect.fork(Supervisor.join(sup))
      yield* advance("2500 millis")
      expect(joined.unsafePoll()).toBeNull()
      // Ends at 0, 1, 2 and 3 s: the fourth restart within 10 s is one too many.
      yield* advance("1 second")
      const exit = yield* Fiber.await(joined)
      expect(exit).toEqual(Exit.fail(
        new Supervisor.RestartIntensityExceeded({
          supervisor: "intense",
          child: "crasher",
          restarts: 4,
          within: Duration.seconds(10)
        })
      ))
      const sweepsAtEscalation = sweeps
      yield* advance("5 seconds")
      expect(sweeps).toBe(sweepsAtEscalation)
      const report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(false)
      expect(report.children.map((c) => c.state)).toEqual(["failed", "failed"])
      expect(logs.entries.some((e) => e.level === "ERROR" && e.message.includes("needed 4 restarts within 10s"))).toBe(
        true
      )
    }))

  it.scoped("the window slides: four restarts inside any 10 s escalate even across a 10 s boundary", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "sliding", intensity: { maxRestarts: 3, within: "10 seconds" } })
      // Ends at 8, 9, 11 and 12 s: a tumbling window [0, 10) + [10, 20) sees 2 + 2 and would not escalate.
      yield* Supervisor.keepAlive(sup, "crasher", failingAfter([8, 1, 2, 1]), { restart: Schedule.spaced(0) })
      const joined = yield* Effect.fork(Supervisor.join(sup))
      yield* advance("11500 millis")
      expect(joined.unsafePoll()).toBeNull()
      yield* advance("1 second")
      const exit = yield* Fiber.await(joined)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(exit).toMatchObject({ cause: { error: { child: "crasher", restarts: 4 } } })
    }))

  it.scoped("restarts spread wider than the window never escalate, however many there are", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "spread", intensity: { maxRestarts: 3, within: "10 seconds" } })
      // Ends at 8, 9, 19, 20, 30, 31 s: never more than 3 inside any 10 s (a cumulative count would escalate).
      yield* Supervisor.keepAlive(sup, "crasher", failingAfter([8, 1, 10, 1, 10, 1]), {
        restart: Schedule.spaced(0)
      })
      const joined = yield* Effect.fork(Supervisor.join(sup))
      yield* advance("40 seconds")
      expect(joined.unsafePoll()).toBeNull()
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child).toMatchObject({ state: "running", restarts: 6 })
    }))
})
