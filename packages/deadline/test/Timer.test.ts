/**
 * On Effect's live clock a deadline is a runtime timer, not a sleeping fiber. These tests pin down that
 * timer: real time for the live path, and a recorded fake for durations past what one runtime timer waits.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { Deadline } from "@lifeline/deadline"
import { maxTimerMillis, runtimeTimer } from "../src/internal/monotonic.ts"

describe("the live clock's deadline timer", () => {
  it.live("fails work at its budget in real time", () =>
    Effect.gen(function* () {
      const started = performance.now()
      const exit = yield* Effect.exit(Deadline.within(Effect.never, "50 millis", { label: "live" }))
      const elapsed = performance.now() - started
      console.log(`live deadline of 50 ms failed after ${elapsed.toFixed(1)} ms`)
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      expect(error).toBeInstanceOf(Deadline.DeadlineExceeded)
      expect(elapsed).toBeGreaterThanOrEqual(49)
      expect(elapsed).toBeLessThan(1000)
    }))

  it.live("abandons uninterruptible work after the grace in real time", () =>
    Effect.gen(function* () {
      const started = performance.now()
      const exit = yield* Effect.exit(
        Deadline.within(Effect.uninterruptible(Effect.sleep("3 seconds")), "30 millis", { grace: "30 millis" })
      )
      const elapsed = performance.now() - started
      console.log(`abandoned after ${elapsed.toFixed(1)} ms (budget 30 ms + grace 30 ms)`)
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      expect((error as Deadline.DeadlineExceeded).abandoned).toBe(true)
      expect(elapsed).toBeGreaterThanOrEqual(59)
      expect(elapsed).toBeLessThan(1000)
    }))

  it("waits past 2^31−1 ms in steps no longer than one runtime timer takes", () => {
    let clock = 0
    const pending: Array<{ f: () => void; at: number }> = []
    const delays: Array<number> = []
    const timers = {
      set: (f: () => void, ms: number) => {
        delays.push(ms)
        const entry = { f, at: clock + ms }
        pending.push(entry)
        return entry
      },
      clear: (handle: unknown) => {
        pending.splice(pending.indexOf(handle as { f: () => void; at: number }), 1)
      }
    }
    let fired = 0
    const thirtyDays = 30 * 86_400_000
    runtimeTimer(() => clock, thirtyDays, () => fired++, timers)
    while (pending.length > 0) {
      const next = pending.shift()!
      clock = next.at
      next.f()
    }
    expect(fired).toBe(1)
    expect(clock).toBe(thirtyDays)
    expect(Math.max(...delays)).toBe(maxTimerMillis)
    expect(delays.length).toBe(Math.ceil(thirtyDays / maxTimerMillis))
  })

  it("cancelled, it never fires and leaves no timer", () => {
    const pending = new Set<unknown>()
    const timers = {
      set: (f: () => void, _ms: number) => {
        const handle = { f }
        pending.add(handle)
        return handle
      },
      clear: (handle: unknown) => {
        pending.delete(handle)
      }
    }
    let fired = 0
    const cancel = runtimeTimer(() => 0, 1000, () => fired++, timers)
    expect(pending.size).toBe(1)
    cancel()
    expect(pending.size).toBe(0)
    expect(fired).toBe(0)
  })
})
