import { assert, describe, expect, it } from "@effect/vitest"
import { DeathLog } from "@lifeline/death-log"
import { InvalidOptions } from "@lifeline/deadline"
import { makeCapturedLogs } from "@lifeline/test-kit"
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { collectRecords } from "./helpers.ts"

describe("DeathLog.guard", () => {
  it.effect("a fiber that dies with a defect is reported once with the last lines it logged and the defect", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const logs = makeCapturedLogs()
      const indexer = Effect.gen(function* () {
        for (let i = 0; i < 300; i++) yield* Effect.log(`indexed batch ${i}`)
        yield* Effect.die(new Error("corrupt segment"))
      }).pipe(DeathLog.guard({ name: "indexer", tags: { shard: "7" } }))
      const exit = yield* Effect.exit(indexer.pipe(Effect.provide(Layer.merge(layer, logs.replace))))
      // the defect is the caller's as before
      assert(Exit.isFailure(exit))
      expect(Cause.pretty(exit.cause)).toContain("corrupt segment")
      // and the effect's own loggers saw every line
      expect(logs.find("INFO", "indexed batch")).toHaveLength(300)
      const [record, ...more] = records
      assert(record !== undefined)
      expect(more).toEqual([])
      expect(record).toMatchObject({ name: "indexer", exitCode: null, signal: null, tags: { shard: "7" } })
      expect(record.key).toMatch(/^indexer:\d+#\d+$/)
      expect(record.lines).toHaveLength(200)
      expect(record.lines[0]).toContain(`message="indexed batch 101"`)
      expect(record.lines.at(-2)).toContain(`message="indexed batch 299"`)
      expect(record.lines.at(-1)).toMatch(/^defect: Error: corrupt segment/)
      expect(record.droppedLines).toBe(101)
      // escaped: the pretty cause's newlines are data in one line
      for (const line of record.lines) expect(line).not.toContain("\n")
    }))

  it.effect("lines logged by fibers the guarded effect forked are kept too", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      yield* Effect.gen(function* () {
        const worker = yield* Effect.fork(Effect.log("worker: segment 12 unreadable"))
        yield* Fiber.join(worker)
        return yield* Effect.dieMessage("giving up")
      }).pipe(
        DeathLog.guard({ name: "indexer" }),
        Effect.exit,
        Effect.provide(Layer.merge(layer, makeCapturedLogs().replace))
      )
      expect(records[0]?.lines[0]).toContain("worker: segment 12 unreadable")
    }))

  it.effect("success, a typed failure and interruption report nothing", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const provide = Effect.provide(Layer.merge(layer, makeCapturedLogs().replace))
      const logged = Effect.log("working")
      expect(yield* Effect.as(logged, 1).pipe(DeathLog.guard({ name: "ok" }), provide)).toBe(1)
      yield* logged.pipe(
        Effect.zipRight(Effect.fail("expected failure")),
        DeathLog.guard({ name: "failed" }),
        Effect.exit,
        provide
      )
      yield* logged.pipe(
        Effect.zipRight(Effect.interrupt),
        DeathLog.guard({ name: "interrupted" }),
        Effect.exit,
        provide
      )
      expect(records).toEqual([])
    }))

  it.effect("two deaths of one name in one fiber are two records", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      const attempt = Effect.dieMessage("flaky").pipe(DeathLog.guard({ name: "poller" }), Effect.exit)
      yield* Effect.zipRight(attempt, attempt).pipe(Effect.provide(Layer.merge(layer, makeCapturedLogs().replace)))
      expect(records).toHaveLength(2)
      expect(records[0]?.key).not.toBe(records[1]?.key)
    }))

  it.effect("a logged message whose text would break a line stays one escaped line", () =>
    Effect.gen(function* () {
      const { layer, records } = collectRecords()
      yield* Effect.log("user input:\nlevel=ERROR forged\u001b[2J").pipe(
        Effect.zipRight(Effect.dieMessage("boom")),
        DeathLog.guard({ name: "api" }),
        Effect.exit,
        Effect.provide(Layer.merge(layer, makeCapturedLogs().replace))
      )
      const [line] = records[0]?.lines ?? []
      expect(line).toContain(String.raw`message="user input:\\nlevel=ERROR forged\\u001b[2J"`)
    }))

  it.effect("options out of their domain are a programming error: the effect dies with InvalidOptions", () =>
    Effect.gen(function* () {
      for (
        const [option, options] of [["name", { name: "" }], ["tail.maxBytes", {
          name: "x",
          tail: { maxBytes: 0 }
        }]] as const
      ) {
        const exit = yield* Effect.exit(Effect.void.pipe(DeathLog.guard(options)))
        assert(Exit.isFailure(exit))
        const defect = Cause.dieOption(exit.cause)
        assert(defect._tag === "Some" && defect.value instanceof InvalidOptions.InvalidOptions)
        expect(defect.value.option).toBe(option)
      }
    }))
})
