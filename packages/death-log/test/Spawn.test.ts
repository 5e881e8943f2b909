import * as Command from "@effect/platform/Command"
import { assert, describe, expect, it } from "@effect/vitest"
import { DeathLog } from "@lifeline/death-log"
import { InvalidOptions } from "@lifeline/deadline"
import { makeCapturedLogs } from "@lifeline/test-kit"
import { Cause, Effect, Exit, Fiber, Layer, Option } from "effect"
import { child, collectRecords, counter, executor, isAlive, utf8Bytes, waitFor } from "./helpers.ts"

describe("DeathLog.spawn", () => {
  it.live("a child that exits 0 after its tests failed is clean: nothing is reported, its output was logged live", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const logs = makeCapturedLogs()
      const result = yield* DeathLog.spawn(child("tests-fail"), { name: "runner" }).pipe(
        Effect.provide(Layer.mergeAll(layer, logs.replace, executor))
      )
      expect(result).toEqual({ exitCode: 0, signal: null, abnormal: false, record: Option.none() })
      expect(records).toEqual([])
      expect(logs.find("ERROR")).toEqual([])
      const [failure] = logs.find("INFO", "FAIL  checkout.test.ts")
      expect(failure?.annotations).toMatchObject({ name: "runner", stream: "stdout" })
      expect(logs.find("INFO", "AssertionError")[0]?.annotations).toMatchObject({ name: "runner", stream: "stderr" })
    }))

  it.live("a child that exits 1 after 10 000 lines is reported once, with its last 200 lines", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const result = yield* DeathLog.spawn(child("lines", 10_000, 1), { name: "runner", tags: { pool: "large" } }).pipe(
        Effect.provide(Layer.mergeAll(layer, makeCapturedLogs().replace, executor))
      )
      expect(result.exitCode).toBe(1)
      expect(result.signal).toBe(null)
      expect(result.abnormal).toBe(true)
      const record = Option.getOrThrow(result.record)
      expect(records).toEqual([record])
      expect(record.key).toBe(`runner:${record.pid}`)
      expect(record).toMatchObject({ name: "runner", exitCode: 1, signal: null, tags: { pool: "large" } })
      expect(record.lines).toEqual(Array.from({ length: 200 }, (_, i) => `line ${9800 + i}`))
      expect(record.droppedLines).toBe(9800)
      expect(record.truncatedBytes).toBe(0)
      expect(record.endedAt).toBeInstanceOf(Date)
    }))

  it.live("the same death reported again (a reconcile loop's second pass) is not emitted twice", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      yield* Effect.gen(function* () {
        const result = yield* DeathLog.spawn(child("lines", 3, 1), { name: "runner" })
        const record = Option.getOrThrow(result.record)
        yield* DeathLog.report(record)
        yield* DeathLog.report({ ...record, lines: ["seen again"] })
      }).pipe(Effect.provide(Layer.mergeAll(layer, makeCapturedLogs().replace, executor)))
      expect(records.map((r) => r.lines)).toEqual([["line 0", "line 1", "line 2"]])
      expect(yield* counter("lifeline_death_log_duplicates_total", "runner")).toBeGreaterThanOrEqual(2)
    }))

  it.live("a child SIGKILLed mid-job leaves a tail of at most 64 KiB that ends with the last line it wrote", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const logs = makeCapturedLogs()
      const fiber = yield* Effect.fork(
        DeathLog.spawn(child("long-lines"), { name: "runner" }).pipe(
          Effect.provide(Layer.mergeAll(layer, logs.replace, executor))
        )
      )
      const last = yield* waitFor(() => logs.find("INFO", "last line written before the kill")[0])
      const pid = last.annotations.pid as number
      process.kill(pid, "SIGKILL")
      const result = yield* Fiber.join(fiber)
      expect(result).toMatchObject({ exitCode: null, signal: "SIGKILL", abnormal: true })
      const record = Option.getOrThrow(result.record)
      expect(records).toEqual([record])
      console.log(`tail after SIGKILL: ${record.lines.length} lines, ${utf8Bytes(record.lines)} bytes`)
      expect(utf8Bytes(record.lines)).toBeLessThanOrEqual(64 * 1024)
      expect(record.lines.at(-1)).toBe("last line written before the kill")
      expect(record.lines.at(-2)).toBe("vitals 299 " + "x".repeat(3000))
      expect(record.lines.length + record.droppedLines).toBe(302)
      // the 100 KiB line was cut to 64 KiB, live as well
      expect(record.truncatedBytes).toBe(7 + 100 * 1024 - 64 * 1024)
      const [first] = logs.find("INFO", "vitals vvv")
      expect(first?.message.length).toBe(64 * 1024)
    }))

  it.live("a child that ignores SIGTERM is SIGKILLed killAfter after the caller is interrupted, and is gone", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const logs = makeCapturedLogs()
      const fiber = yield* Effect.fork(
        DeathLog.spawn(child("ignore-term"), { name: "stubborn", killAfter: "1 second" }).pipe(
          Effect.provide(Layer.mergeAll(layer, logs.replace, executor))
        )
      )
      const ready = yield* waitFor(() => logs.find("INFO", "ready")[0])
      const pid = ready.annotations.pid as number
      const start = performance.now()
      const exit = yield* Fiber.interrupt(fiber)
      const elapsed = performance.now() - start
      console.log(`interrupted spawn returned after ${elapsed.toFixed(0)} ms (killAfter 1000 ms)`)
      assert(Exit.isInterrupted(exit))
      expect(elapsed).toBeGreaterThanOrEqual(950)
      expect(elapsed).toBeLessThan(1000 + 2000)
      expect(isAlive(pid)).toBe(false)
      expect(logs.find("INFO", "SIGTERM received, ignoring it")).toHaveLength(1)
      expect(logs.find("WARN", "sending SIGKILL")[0]?.annotations).toMatchObject({ name: "stubborn", pid })
      expect(yield* counter("lifeline_death_log_killed_total", "stubborn")).toBe(1)
      // an end the caller caused is not a death to report
      expect(records).toEqual([])
    }))

  it.live("killAfter 0 sends SIGKILL right after SIGTERM", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const fiber = yield* Effect.fork(
        DeathLog.spawn(child("ignore-term"), { name: "impatient", killAfter: 0 }).pipe(
          Effect.provide(Layer.mergeAll(logs.replace, executor))
        )
      )
      const ready = yield* waitFor(() => logs.find("INFO", "ready")[0])
      const start = performance.now()
      yield* Fiber.interrupt(fiber)
      const elapsed = performance.now() - start
      console.log(`interrupted spawn with killAfter 0 returned after ${elapsed.toFixed(0)} ms`)
      expect(elapsed).toBeLessThan(1000)
      expect(isAlive(ready.annotations.pid as number)).toBe(false)
    }))

  it.live("stdout and stderr both feed the live log and the tail; a last line without newline is kept", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const logs = makeCapturedLogs()
      const result = yield* DeathLog.spawn(child("streams", 2), { name: "job" }).pipe(
        Effect.provide(Layer.mergeAll(layer, logs.replace, executor))
      )
      expect(result.exitCode).toBe(2)
      expect([...Option.getOrThrow(result.record).lines].sort()).toEqual([
        "no newline at the end",
        "to stderr",
        "to stdout"
      ])
      expect(records).toHaveLength(1)
      expect(logs.find("INFO", "no newline at the end")[0]?.annotations).toMatchObject({ stream: "stdout" })
      expect(logs.find("INFO", "to stderr")[0]?.annotations).toMatchObject({ stream: "stderr" })
    }))

  it.live("classify decides what is abnormal; one that throws or answers nonsense counts the end as abnormal", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const logs = makeCapturedLogs()
      const provide = Effect.provide(Layer.mergeAll(layer, logs.replace, executor))
      const tolerant = yield* DeathLog.spawn(child("lines", 1, 3), {
        name: "job",
        classify: (end) => end.exitCode === 0 || end.exitCode === 3 ? "clean" : "abnormal"
      }).pipe(provide)
      expect(tolerant).toMatchObject({ exitCode: 3, abnormal: false, record: Option.none() })
      expect(records).toHaveLength(0)

      const throwing = yield* DeathLog.spawn(child("lines", 1, 0), {
        name: "job",
        classify: () => {
          throw new Error("classify bug")
        }
      }).pipe(provide)
      expect(throwing.abnormal).toBe(true)
      expect(logs.find("WARN", "classify threw")[0]?.cause).toContain("classify bug")

      const nonsense = yield* DeathLog.spawn(child("lines", 1, 0), {
        name: "job",
        classify: (() => true) as unknown as () => DeathLog.Classification
      }).pipe(provide)
      expect(nonsense.abnormal).toBe(true)
      expect(logs.find("WARN", "neither")[0]?.annotations).toMatchObject({ returned: "boolean" })
      expect(records).toHaveLength(2)
    }))

  it.live("an emitter that fails or throws is logged; spawn still returns the record", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const failing = DeathLog.layerEmitter(() => Effect.fail("log store unavailable"))
      const result = yield* DeathLog.spawn(child("lines", 5, 1), { name: "runner" }).pipe(
        Effect.provide(Layer.mergeAll(failing, logs.replace, executor))
      )
      expect(Option.getOrThrow(result.record).lines).toHaveLength(5)
      expect(logs.find("WARN", "could not emit")[0]?.cause).toContain("log store unavailable")

      const throwing = DeathLog.layerEmitter((): Effect.Effect<void> => {
        throw new Error("emitter threw")
      })
      const again = yield* DeathLog.spawn(child("lines", 5, 1), { name: "runner" }).pipe(
        Effect.provide(Layer.mergeAll(throwing, logs.replace, executor))
      )
      expect(again.abnormal).toBe(true)
      expect(logs.find("WARN", "could not emit")[1]?.cause).toContain("emitter threw")
    }))

  it.live("a command that cannot start fails with the platform's error, and nothing is reported", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const exit = yield* Effect.exit(
        DeathLog.spawn(Command.make("/nonexistent/lifeline-runner"), { name: "runner" }).pipe(
          Effect.provide(Layer.mergeAll(layer, makeCapturedLogs().replace, executor))
        )
      )
      assert(Exit.isFailure(exit))
      const error = Cause.failureOption(exit.cause)
      assert(Option.isSome(error))
      expect(error.value._tag).toBe("SystemError")
      expect(records).toEqual([])
    }))

  it.live("options out of their domain fail with InvalidOptions naming the option, before any child starts", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, DeathLog.SpawnOptions]> = [
        ["name", { name: " " }],
        ["killAfter", { name: "x", killAfter: -1 }],
        ["killAfter", { name: "x", killAfter: Number.NaN }],
        ["killAfter", { name: "x", killAfter: "Infinity" as never }],
        ["tail.maxLines", { name: "x", tail: { maxLines: 0 } }],
        ["tail.maxBytes", { name: "x", tail: { maxBytes: 1.5 } }],
        ["tags.pool", { name: "x", tags: { pool: 1 as never } }],
        ["classify", { name: "x", classify: "clean" as never }]
      ]
      for (const [option, options] of cases) {
        const exit = yield* Effect.exit(DeathLog.spawn(child("lines", 1, 1), options).pipe(Effect.provide(executor)))
        assert(Exit.isFailure(exit))
        const error = Cause.failureOption(exit.cause)
        assert(Option.isSome(error) && error.value instanceof InvalidOptions.InvalidOptions)
        expect(error.value.option).toBe(option)
      }
    }))
})
