/**
 * Real children for the spawn tests: small Node scripts in `children/`, run by the Node binary (the test
 * process's own on Node; `node` from the PATH when the suite runs under Deno or Bun).
 */
import * as Command from "@effect/platform/Command"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { DeathLog } from "@lifeline/death-log"
import { Effect, Layer, Metric } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const versions = process.versions as Readonly<Record<string, string | undefined>>
export const nodeBinary = versions.deno === undefined && versions.bun === undefined ? process.execPath : "node"

const here = path.dirname(fileURLToPath(import.meta.url))

/** `node test/children/<script>.mjs args…` */
export const child = (script: string, ...args: ReadonlyArray<string | number>): Command.Command =>
  Command.make(nodeBinary, path.join(here, "children", `${script}.mjs`), ...args.map(String))

export const executor = NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))

/** An emitter that keeps every record it is given. */
export const collectRecords = () => {
  const records: Array<DeathLog.DeathRecord> = []
  return { records, layer: DeathLog.layerEmitter((record) => Effect.sync(() => records.push(record))) }
}

/** Whether a process with this id exists (signal 0 checks without signalling). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === "EPERM"
  }
}

/** Polls `find` on the live clock until it returns a value; dies after `timeoutMs`. */
export const waitFor = <A>(find: () => A | undefined, timeoutMs = 15_000): Effect.Effect<A> =>
  Effect.gen(function* () {
    const start = performance.now()
    for (;;) {
      const found = find()
      if (found !== undefined) return found
      if (performance.now() - start > timeoutMs) return yield* Effect.dieMessage(`not seen within ${timeoutMs} ms`)
      yield* Effect.sleep("10 millis")
    }
  })

/** The value of a `lifeline_*` counter series tagged `name`, read from the metric registry. */
export const counter = (metric: string, name: string): Effect.Effect<number> =>
  Effect.map(Metric.snapshot, (pairs) => {
    let total = 0
    for (const pair of pairs) {
      if (pair.metricKey.name !== metric) continue
      if (!pair.metricKey.tags.some((t) => t.key === "name" && t.value === name)) continue
      const state = pair.metricState as { readonly count?: unknown }
      if (typeof state.count === "number") total += state.count
    }
    return total
  })

export const utf8Bytes = (lines: ReadonlyArray<string>): number =>
  lines.reduce((n, line) => n + new TextEncoder().encode(line).length, 0)
