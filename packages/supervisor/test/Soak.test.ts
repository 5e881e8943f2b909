import { describe, expect, it } from "@effect/vitest"
import { Supervisor } from "@lifeline/supervisor"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Scope from "effect/Scope"
import { advance, prng, retainedHeapBytes } from "@lifeline/test-kit"

const heapMb = (): number => retainedHeapBytes() / 1048576

type Outcomes = { ok: number; hang: number; wedge: number; defect: number; failure: number }

/**
 * A job that, by a seeded coin: succeeds; hangs (interruptibly); wedges in uninterruptible code for
 * `wedgeMillis` and then ends by itself; throws; or fails.
 */
const chaosJob = (seed: number, wedgeMillis: number) => {
  const random = prng(seed)
  const outcomes: Outcomes = { ok: 0, hang: 0, wedge: 0, defect: 0, failure: 0 }
  const job = Effect.suspend(() => {
    const r = random()
    if (r < 0.6) {
      outcomes.ok++
      return Effect.void
    }
    if (r < 0.7) {
      outcomes.hang++
      return Effect.never
    }
    if (r < 0.75) {
      outcomes.wedge++
      return Effect.uninterruptible(Effect.sleep(wedgeMillis))
    }
    if (r < 0.85) {
      outcomes.defect++
      return Effect.sync(() => {
        throw new Error("random defect")
      })
    }
    outcomes.failure++
    return Effect.fail("random failure")
  })
  return { job, outcomes, runs: () => Object.values(outcomes).reduce((a, b) => a + b, 0) }
}

const countErrors = () => {
  const counter = { errors: 0 }
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel }) => {
      if (LogLevel.greaterThanEqual(logLevel, LogLevel.Error)) counter.errors++
    })
  )
  return { counter, layer }
}

describe("soak", () => {
  const ITERATIONS = 1_000
  const EVERY = 100

  it.scoped(
    `${ITERATIONS} TestClock ticks of random hangs, wedges, defects and failures: one run per tick, every bad run logged`,
    () =>
      Effect.gen(function* () {
        const { job, outcomes, runs } = chaosJob(0x5eed, 150)
        const logs = countErrors()
        const scope = yield* Scope.make()
        const sup = yield* Supervisor.make({ name: "soak-testclock" }).pipe(Scope.extend(scope))
        yield* Supervisor.periodic(sup, "sweep", job, { every: EVERY, timeout: 40, grace: 20 }).pipe(
          Effect.provide(logs.layer)
        )
        yield* advance((ITERATIONS / 4) * EVERY, "1 second")
        const before = heapMb()
        yield* advance((ITERATIONS * 3 / 4) * EVERY, "1 second")
        const after = heapMb()
        // Let the last run (due at ITERATIONS × EVERY) reach its deadline before counting its log.
        yield* advance(70)
        const report = (yield* Supervisor.health(sup)).children[0]!
        console.log(
          `soak (TestClock): ${runs()} runs in ${ITERATIONS * EVERY} ms, ${
            JSON.stringify(outcomes)
          }, missed ${report.missedTicks}, error logs ${logs.counter.errors}, heap ${before.toFixed(1)} → ${
            after.toFixed(1)
          } MiB`
        )
        // Ticks at 0, 100, …, ITERATIONS × 100 ms: timeout + grace < every, so every tick gets its run.
        expect(runs()).toBe(ITERATIONS + 1)
        expect(report.missedTicks).toBe(0)
        expect(outcomes.hang).toBeGreaterThan(50)
        expect(outcomes.wedge).toBeGreaterThan(20)
        expect(outcomes.defect).toBeGreaterThan(50)
        expect(logs.counter.errors).toBe(runs() - outcomes.ok)
        expect(after - before).toBeLessThan(32)
        // A wedged run may hold the loop at close; the stop is bounded by stopTimeout on the same clock.
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* advance("6 seconds", "1 second")
        yield* Fiber.join(closing)
      }),
    120_000
  )

  const LIVE_ITERATIONS = 2_000
  const LIVE_EVERY = 5

  it.live(
    `${LIVE_ITERATIONS} real-time ticks of random chaos: runs + missed ticks ≈ elapsed / every and the heap stays flat`,
    () =>
      Effect.scoped(Effect.gen(function* () {
        const { job, outcomes, runs } = chaosJob(0xc0ffee, 12)
        const logs = countErrors()
        const sup = yield* Supervisor.make({ name: "soak-live", stopTimeout: "1 second" })
        const start = performance.now()
        yield* Supervisor.periodic(sup, "sweep", job, { every: LIVE_EVERY, timeout: 2, grace: 2 }).pipe(
          Effect.provide(logs.layer)
        )
        yield* Effect.sleep(LIVE_ITERATIONS * LIVE_EVERY / 4)
        const before = heapMb()
        yield* Effect.sleep(LIVE_ITERATIONS * LIVE_EVERY * 3 / 4)
        const after = heapMb()
        const elapsed = performance.now() - start
        const report = (yield* Supervisor.health(sup)).children[0]!
        const ticks = elapsed / LIVE_EVERY
        const accounted = runs() + report.missedTicks
        console.log(
          `soak (live): ${elapsed.toFixed(0)} ms at every ${LIVE_EVERY} ms = ${
            ticks.toFixed(0)
          } ticks; ${runs()} runs + ${report.missedTicks} missed = ${accounted} (${
            (accounted / ticks * 100).toFixed(1)
          }%), ${JSON.stringify(outcomes)}, error logs ${logs.counter.errors}, heap ${before.toFixed(1)} → ${
            after.toFixed(1)
          } MiB`
        )
        // Every tick is either run or counted as missed: none silently lost.
        expect(accounted).toBeGreaterThan(ticks * 0.8)
        expect(accounted).toBeLessThan(ticks * 1.1 + 2)
        // The loop keeps going despite the chaos. How many ticks get a run depends on how late a loaded
        // machine's timers are (wedges also overrun a tick or two): the exact cadence is the TestClock soak's
        // to prove, this one proves the accounting and the heap in real time.
        expect(runs()).toBeGreaterThan(ticks * 0.1)
        expect(outcomes.defect).toBeGreaterThan(50)
        expect(logs.counter.errors).toBeGreaterThanOrEqual(runs() - outcomes.ok - 1)
        expect(after - before).toBeLessThan(32)
      })),
    60_000
  )
})
