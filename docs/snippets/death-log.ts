/**
 * The code of the `@lifeline/death-log` guide (`docs/guide/death-log.md`), one region per snippet. The file is
 * typechecked with the project, so the guide cannot drift from the API. Names declared below the imports stand
 * for the reader's own code.
 */
// #region import
import { DeathLog, LogTail } from "@lifeline/death-log"
// #endregion import
import { Command } from "@effect/platform"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Deadline } from "@lifeline/deadline"
import { Effect, Layer, Option, Schedule } from "effect"

declare const runnerScript: string
declare const postToLogStore: (body: string, signal: AbortSignal) => Promise<Response>
declare const indexSegments: Effect.Effect<void>

// #region log-tail
export const lastWords = Effect.gen(function* () {
  const tail = yield* LogTail.make({ maxLines: 200, maxBytes: 64 * 1024 })
  tail.write(new TextEncoder().encode("job 7: step 1 ok\njob 7: step 2 fa")) // chunks split anywhere
  tail.write("iled: disk full\njob 7: exiting")
  tail.flush() // the stream ended: keep the last line, which never got its newline

  const { droppedLines, lines, truncatedBytes } = tail.snapshot()
  // lines: [{ text: "job 7: step 1 ok", truncated: false, terminated: true }, …,
  //         { text: "job 7: exiting", truncated: false, terminated: false }]
  return { lines, droppedLines, truncatedBytes }
})
// #endregion log-tail

// #region spawn
// A CommandExecutor for Node (import @effect/platform-node by subpath: its index pulls in optional peers).
const nodeExecutor = NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))

export const runRunner = (job: string) =>
  Effect.gen(function* () {
    const result = yield* DeathLog.spawn(Command.make("node", runnerScript, job), {
      name: "runner",
      tags: { pool: "linux-large", job },
      killAfter: "10 seconds"
    })
    // { exitCode: 137 | null, signal: "SIGKILL" | null, abnormal: true, record: Option.some({ key: "runner:4242", … }) }
    return result
  }).pipe(Effect.provide(nodeExecutor))
// #endregion spawn

// #region classify
// The runner's own protocol: 0 is a finished job, 3 is "the job's tests failed" — the runner itself is fine.
export const runTolerant = (job: string) =>
  DeathLog.spawn(Command.make("node", runnerScript, job), {
    name: "runner",
    classify: (end) => end.exitCode === 0 || end.exitCode === 3 ? "clean" : "abnormal"
  })
// #endregion classify

// #region report
// A reconcile loop sees every end more than once; the record is emitted once per key.
export const reconcile = (ended: DeathLog.DeathRecord) =>
  Effect.gen(function* () {
    yield* DeathLog.report(ended) // emitted
    yield* DeathLog.report(ended) // same key: remembered, not emitted again
  })
// #endregion report

// #region emitter
// Ship records to a store as well as logging them; each emission is bounded by `timeout`, and its failure is
// logged and counted, never raised to the caller of `report`.
export const toLogStore = DeathLog.layerEmitter(
  (record) =>
    Effect.zipRight(
      Effect.logError("death log captured").pipe(Effect.annotateLogs({ key: record.key })),
      Deadline.tryPromise((signal) => postToLogStore(JSON.stringify(record), signal))
    ),
  { timeout: "5 seconds" }
)

export const controller = Effect.gen(function* () {
  const result = yield* runRunner("job-7")
  yield* Option.match(result.record, {
    onNone: () => Effect.void,
    onSome: (record) => Effect.logInfo(`runner ${record.key} died; ${record.lines.length} lines kept`)
  })
}).pipe(Effect.provide(toLogStore))
// #endregion emitter

// #region guard
export const indexer = indexSegments.pipe(
  DeathLog.guard({ name: "indexer", tail: { maxLines: 100 } }),
  // the defect still reaches the caller: restart as usual
  Effect.retry(Schedule.exponential("1 second"))
)
// #endregion guard
