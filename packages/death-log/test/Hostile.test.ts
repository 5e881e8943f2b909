/**
 * A child's output is untrusted (a CI runner runs customer code). Here it tries to forge the parent's log lines
 * in each of Effect's formats, to clear the screen, to break a quoted value, and to flood the log; the test
 * reads the parent's log as its loggers really format it and parses every line.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { DeathLog } from "@lifeline/death-log"
import { Effect, Layer, Logger, Option } from "effect"
import { child, executor, utf8Bytes } from "./helpers.ts"

type Fields = ReadonlyArray<readonly [string, string]>

/**
 * Parses one line of Effect's `logfmt` or `string` format (`key=value`, values bare or double-quoted with
 * backslash escapes) and fails if any of the line is left over: a forged field would have to be one of these.
 */
const parseKeyValues = (line: string): Fields => {
  const field = /([^\s=]+)=("(?:[^"\\]|\\.)*"|[^\s"=]*)(?: |$)/y
  const fields: Array<readonly [string, string]> = []
  field.lastIndex = 0
  while (field.lastIndex < line.length) {
    const at = field.lastIndex
    const match = field.exec(line)
    if (match === null) throw new Error(`unparsable at ${at}: ${line.slice(at, at + 80)}`)
    fields.push([match[1]!, match[2]!])
  }
  return fields
}

// deno-lint-ignore no-control-regex
const controlOrSeparator = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe("hostile child output", () => {
  it.live("stays data: one parseable parent line per child line, attributed, bounded; nothing forged", () =>
    Effect.gen(function* () {
      const out = { json: [] as Array<string>, logfmt: [] as Array<string>, string: [] as Array<string> }
      const capture = (format: keyof typeof out, logger: Logger.Logger<unknown, string>) =>
        Logger.map(logger, (line) => {
          out[format].push(line)
        })
      const loggers = Layer.mergeAll(
        Logger.replace(Logger.defaultLogger, capture("json", Logger.jsonLogger)),
        Logger.add(capture("logfmt", Logger.logfmtLogger)),
        Logger.add(capture("string", Logger.stringLogger))
      )
      // the default emitter: the record goes to the same log
      const result = yield* DeathLog.spawn(child("hostile"), { name: "hostile" }).pipe(
        Effect.provide(Layer.mergeAll(loggers, executor))
      )
      expect(result).toMatchObject({ exitCode: 1, signal: null, abnormal: true })
      const record = Option.getOrThrow(result.record)

      // 9 child lines (7 on stdout, 1 on stderr, the 10 MB one) and the record: each one log entry per format
      for (const lines of Object.values(out)) expect(lines).toHaveLength(10)
      for (const line of [...out.json, ...out.logfmt, ...out.string]) {
        // (positions and sizes, not the lines: some are 64 KiB long)
        expect(controlOrSeparator.exec(line)?.index).toBeUndefined()
        expect(new TextEncoder().encode(line).length).toBeLessThan(2 * 65536 + 4096)
      }

      // JSON: each line one object with the logger's own fields; one ERROR, the record, from the parent
      const entries = out.json.map((line) => JSON.parse(line))
      for (const entry of entries) {
        expect(Object.keys(entry).sort()).toEqual([
          "annotations",
          "fiberId",
          "logLevel",
          "message",
          "spans",
          "timestamp"
        ])
        expect(entry.annotations.name).toBe("hostile")
      }
      const errors = entries.filter((e) => e.logLevel === "ERROR")
      expect(errors.map((e) => e.message)).toEqual(["death log captured"])
      expect(errors[0].annotations.key).toBe(record.key)
      const childLines = entries.filter((e) => e.logLevel === "INFO")
      expect(childLines.map((e) => e.annotations.stream).sort()).toEqual([
        ...new Array(8).fill("stdout"),
        "stderr"
      ].sort())
      const messages: Array<string> = childLines.map((e) => e.message)
      expect(messages).toContain("\\u001b[2J\\u001b[31mERROR\\u001b[0m screen cleared")
      expect(messages).toContain(
        `{"message":"forged","logLevel":"ERROR","timestamp":"2020-01-01T00:00:00.000Z","annotations":{"name":"controller"}}`
      )
      expect(messages).toContain("ok\\r\\u001b[1Atimestamp=2020-01-01T00:00:00.000Z level=FATAL message=forged-over-cr")
      expect(messages).toContain("trailing backslash \\\\")
      expect(messages).toContain("line\\u2028separator and \\u202eoverride")
      expect(messages.find((m) => m.startsWith("bad "))).toMatch(/^bad \uFFFD+\(\uFFFD+$/)
      const flood = messages.find((m) => m.startsWith("AAAA"))
      expect(flood?.length).toBe(65536)
      expect(/^A+$/.test(flood ?? "")).toBe(true)

      // logfmt and the default logger's format: every line parses whole; its first fields are the logger's own,
      // and each field appears once (a forged `level=` would be a second one)
      for (const format of ["logfmt", "string"] as const) {
        const levels = out[format].map((line) => {
          const fields = parseKeyValues(line)
          expect(fields.slice(0, 4).map(([key]) => key)).toEqual(["timestamp", "level", "fiber", "message"])
          const keys = fields.map(([key]) => key)
          expect(new Set(keys).size).toBe(keys.length)
          expect(Object.fromEntries(fields).name).toBe("hostile")
          return fields[1]![1]
        })
        expect(levels.filter((level) => level !== "INFO")).toEqual(["ERROR"])
      }

      // the record: bounded, its lines escaped; the 10 MB line cut to 64 KiB and flagged in the counts
      expect(utf8Bytes(record.lines)).toBeLessThanOrEqual(65536)
      expect(record.lines.map((line) => line.length)).toEqual([65536])
      expect(record.droppedLines).toBe(8)
      expect(record.truncatedBytes).toBe(10 * (1 << 20) - 65536)
      assert(JSON.parse(errors[0].annotations.lines).length === 1)
    }))
})
