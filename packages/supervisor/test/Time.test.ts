/**
 * A supervisor measures cadences, staleness, restart delays and its windows on the monotonic clock: a step of
 * the wall clock (NTP, an operator) neither stalls a loop, nor makes it look stale, nor skips its runs; and
 * durations longer than a runtime timer can wait (2^31−1 ms, about 24.8 days) still fire.
 */
import { describe, expect, it } from "@effect/vitest"
import { Supervisor } from "@lifeline/supervisor"
import { advance, withRuntimeTimers, withWallClock } from "@lifeline/test-kit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"

/** Milliseconds since the test started on the monotonic clock: what a step of the wall clock must not move. */
const monotonicMillis = Effect.clockWith((clock) =>
  Effect.sync(() => Number(clock.unsafeCurrentTimeNanos() / 1_000_000n))
)

const secs = (s: number) => s * 1000

// A number, not "-1 hour": Effect decodes a negative duration string as zero.
const HOUR = 3_600_000

describe("a step of the wall clock", () => {
  it.scoped("stepped an hour back, a periodic child keeps its cadence and stays healthy", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const starts: Array<number> = []
        const sup = yield* Supervisor.make({ name: "ntp-back" })
        yield* Supervisor.periodic(
          sup,
          "sweep",
          Effect.flatMap(monotonicMillis, (t) => Effect.sync(() => starts.push(t))),
          { every: "1 second", timeout: "500 millis" }
        )
        yield* advance("2500 millis")
        yield* wall.step(-HOUR)
        yield* advance("5 seconds")
        expect(starts).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(secs))
        const report = yield* Supervisor.health(sup)
        expect(report.healthy).toBe(true)
        expect(report.children[0]).toMatchObject({ state: "running", missedTicks: 0, consecutiveFailures: 0 })
      })
    ))

  it.scoped("stepped an hour forward, a periodic child neither looks stale nor skips its runs", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const starts: Array<number> = []
        const sup = yield* Supervisor.make({ name: "ntp-forward" })
        yield* Supervisor.periodic(
          sup,
          "sweep",
          Effect.flatMap(monotonicMillis, (t) => Effect.sync(() => starts.push(t))),
          { every: "1 second", timeout: "500 millis" }
        )
        yield* advance("2500 millis")
        yield* wall.step("1 hour")
        let report = yield* Supervisor.health(sup)
        expect(report.healthy).toBe(true)
        expect(report.children[0]!.state).toBe("running")
        yield* advance("3 seconds")
        expect(starts).toEqual([0, 1, 2, 3, 4, 5].map(secs))
        report = yield* Supervisor.health(sup)
        expect(report.children[0]).toMatchObject({ state: "running", missedTicks: 0 })
      })
    ))

  it.scoped("stepped forward during a short run, the restart backoff is not reset as if the run had lasted", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        const starts: Array<number> = []
        let run = 0
        const child = Effect.gen(function* () {
          starts.push(yield* monotonicMillis)
          run++
          yield* Effect.sleep("100 millis")
          if (run === 3) yield* wall.step("1 hour")
          return yield* Effect.fail("crash")
        })
        const sup = yield* Supervisor.make({ name: "ntp-backoff" })
        yield* Supervisor.keepAlive(sup, "crasher", child, {
          restart: Schedule.exponential("1 second"),
          resetAfter: "1 minute"
        })
        yield* advance("15450 millis")
        // Ends at 0.1, 1.2, 3.3 and 7.4 s; delays 1, 2, 4 and 8 s — the run of 0.1 s stays a short run.
        expect(starts).toEqual([0, 1100, 3200, 7300, 15_400])
        expect((yield* Supervisor.health(sup)).children[0]!.consecutiveFailures).toBe(4)
      })
    ))

  it.scoped("stepped back, the restart-intensity window does not hold old restarts for an hour", () =>
    withWallClock((wall) =>
      Effect.gen(function* () {
        let runs = 0
        const child = Effect.gen(function* () {
          runs++
          yield* Effect.sleep("5 seconds")
          if (runs === 2) yield* wall.step(-HOUR)
          return yield* Effect.fail("crash")
        })
        const sup = yield* Supervisor.make({
          name: "ntp-intensity",
          intensity: { maxRestarts: 2, within: "10 seconds" }
        })
        // Ends every 5 s: never more than 2 inside any 10 s window.
        yield* Supervisor.keepAlive(sup, "crasher", child, { restart: Schedule.spaced(0) })
        const joined = yield* Effect.fork(Supervisor.join(sup))
        yield* advance("31 seconds")
        expect(joined.unsafePoll()).toBeNull()
        expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({ state: "running", restarts: 6 })
      })
    ))
})

describe("durations longer than a runtime timer can wait", () => {
  it.scoped("every: 30 days runs again after 30 days (Effect's live clock would never wake)", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        let runs = 0
        const sup = yield* Supervisor.make({ name: "monthly" })
        yield* Supervisor.periodic(sup, "rotate", Effect.sync(() => runs++), { every: "30 days", timeout: "1 minute" })
        yield* TestClock.adjust("1 second")
        expect(runs).toBe(1)
        yield* TestClock.adjust("29 days")
        expect(runs).toBe(1)
        yield* TestClock.adjust("1 day")
        expect(runs).toBe(2)
        yield* TestClock.adjust("30 days")
        expect(runs).toBe(3)
        const child = (yield* Supervisor.health(sup)).children[0]!
        expect(child).toMatchObject({ state: "running", missedTicks: 0 })
      })
    ))

  it.scoped("a restart delay of 30 days restarts the child after 30 days", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        let runs = 0
        const sup = yield* Supervisor.make({ name: "patient" })
        yield* Supervisor.keepAlive(sup, "c", Effect.suspend(() => ++runs === 1 ? Effect.fail("once") : Effect.never), {
          restart: Schedule.spaced("30 days")
        })
        yield* TestClock.adjust("29 days")
        expect(runs).toBe(1)
        yield* TestClock.adjust("1 day")
        expect(runs).toBe(2)
        expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({ state: "running", restarts: 1 })
      })
    ))

  it.effect("a stopTimeout of 30 days still ends the stop after 30 days", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const sup = yield* Supervisor.make({ name: "long-stop", stopTimeout: "30 days" }).pipe(Scope.extend(scope))
        yield* Supervisor.keepAlive(sup, "wedged", Effect.uninterruptible(Effect.never))
        yield* TestClock.adjust("1 second")
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* TestClock.adjust("29 days")
        expect(closing.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 day")
        expect(yield* Fiber.await(closing)).toStrictEqual(Exit.void)
      })
    ))

  it.scoped("staleAfter of 40 days judges a 30-day loop by the monotonic time since its last success", () =>
    withRuntimeTimers(
      Effect.gen(function* () {
        let runs = 0
        const sup = yield* Supervisor.make({ name: "stale-monthly" })
        yield* Supervisor.periodic(
          sup,
          "rotate",
          Effect.suspend(() => ++runs === 1 ? Effect.void : Effect.fail("key store down")),
          { every: "30 days", timeout: "1 minute", staleAfter: "40 days" }
        )
        yield* TestClock.adjust("39 days")
        expect((yield* Supervisor.health(sup)).children[0]!.state).toBe("running")
        yield* TestClock.adjust("2 days")
        expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({ state: "stalled", consecutiveFailures: 1 })
      })
    ))
})
