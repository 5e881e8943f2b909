import { assert, describe, expect, it } from "@effect/vitest"
import { DeathLog } from "@lifeline/death-log"
import { InvalidOptions } from "@lifeline/deadline"
import { makeCapturedLogs } from "@lifeline/test-kit"
import { Cause, Effect, Exit, Fiber, Layer, TestClock } from "effect"
import { collectRecords, counter } from "./helpers.ts"

const death = (key: string, name = "runner"): DeathLog.DeathRecord => ({
  key,
  name,
  pid: 4242,
  exitCode: null,
  signal: "SIGKILL",
  endedAt: new Date("2025-01-01T00:00:00.000Z"),
  tags: { pool: "large" },
  lines: ["vitals cpu=98%", "vitals io=stalled"],
  droppedLines: 7,
  truncatedBytes: 0
})

describe("DeathLog.report", () => {
  it.effect("emits a death seen twice once", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      yield* Effect.gen(function* () {
        yield* DeathLog.report(death("runner:1"))
        yield* DeathLog.report(death("runner:1"))
        yield* DeathLog.report(death("runner:2"))
      }).pipe(Effect.provide(layer))
      expect(records.map((r) => r.key)).toEqual(["runner:1", "runner:2"])
    }))

  it.effect("remembers a bounded number of recent keys: an old key is forgotten once 1024 newer ones were seen", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      yield* Effect.gen(function* () {
        yield* DeathLog.report(death("old"))
        for (let i = 0; i < 1023; i++) yield* DeathLog.report(death(`k${i}`))
        yield* DeathLog.report(death("old")) // still remembered: 1024 keys
        yield* DeathLog.report(death("k1023"))
        yield* DeathLog.report(death("old")) // forgotten: the memory holds the last 1024 only
      }).pipe(Effect.provide(layer))
      expect(records.filter((r) => r.key === "old")).toHaveLength(2)
      expect(records).toHaveLength(1024 + 2)
    }))

  it.effect("an emitter that fails, dies or throws synchronously is logged and counted; report succeeds", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const emitters = {
        fails: DeathLog.layerEmitter(() => Effect.fail(new Error("store unavailable"))),
        dies: DeathLog.layerEmitter(() => Effect.die(new Error("emitter bug"))),
        throws: DeathLog.layerEmitter((): Effect.Effect<void> => {
          throw new Error("thrown before returning an effect")
        }),
        // a service provided without layerEmitter, whose emit throws
        raw: Layer.succeed(DeathLog.Emitter, {
          emit: () => {
            throw new Error("raw emitter threw")
          }
        })
      }
      for (const [name, layer] of Object.entries(emitters)) {
        const exit = yield* Effect.exit(
          DeathLog.report(death(`${name}:1`, name)).pipe(Effect.provide(Layer.merge(layer, logs.replace)))
        )
        expect(exit).toEqual(Exit.void)
        expect(yield* counter("lifeline_death_log_emit_failures_total", name)).toBe(1)
      }
      const warnings = logs.find("WARN", "could not emit a record")
      expect(warnings.map((w) => w.annotations.key)).toEqual(["fails:1", "dies:1", "throws:1", "raw:1"])
      expect(
        warnings.map((w) =>
          w.cause.match(/store unavailable|emitter bug|thrown before returning|raw emitter threw/)?.[0]
        )
      )
        .toEqual(["store unavailable", "emitter bug", "thrown before returning", "raw emitter threw"])
    }))

  it.effect("an emitter that hangs is cut at its timeout and counted as failed", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const fiber = yield* Effect.fork(
        DeathLog.report(death("hang:1", "hang")).pipe(
          Effect.provide(Layer.merge(DeathLog.layerEmitter(() => Effect.never, { timeout: "2 seconds" }), logs.replace))
        )
      )
      yield* TestClock.adjust("1 second")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBeUndefined()
      expect(logs.find("WARN", "could not emit")[0]?.cause).toContain("DeadlineExceeded")
      expect(yield* counter("lifeline_death_log_emit_failures_total", "hang")).toBe(1)
    }))

  it.effect("the default emitter writes one structured error log, the record as one-line annotations", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const record = death("default:1")
      yield* DeathLog.report(record).pipe(Effect.provide(logs.replace))
      yield* DeathLog.report(record).pipe(Effect.provide(logs.replace))
      const [entry, ...more] = logs.find("ERROR", "death log captured")
      assert(entry !== undefined)
      expect(more).toEqual([])
      expect(entry.annotations).toEqual({
        key: "default:1",
        name: "runner",
        pid: 4242,
        exitCode: null,
        signal: "SIGKILL",
        endedAt: "2025-01-01T00:00:00.000Z",
        tags: `{"pool":"large"}`,
        lines: `["vitals cpu=98%","vitals io=stalled"]`,
        droppedLines: 7,
        truncatedBytes: 0
      })
    }))

  it.effect("layerEmitter with a timeout out of its domain dies with InvalidOptions", () =>
    Effect.gen(function* () {
      for (const timeout of [0, -1, Number.NaN, "forever"]) {
        const exit = yield* Effect.exit(
          DeathLog.report(death("x")).pipe(
            Effect.provide(DeathLog.layerEmitter(() => Effect.void, { timeout: timeout as never }))
          )
        )
        assert(Exit.isFailure(exit))
        const defect = Cause.dieOption(exit.cause)
        assert(defect._tag === "Some" && defect.value instanceof InvalidOptions.InvalidOptions)
        expect(defect.value.option).toBe("timeout")
      }
    }))
})
