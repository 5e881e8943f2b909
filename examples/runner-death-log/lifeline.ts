/**
 * The controller with Lifeline: it starts each runner itself with `DeathLog.spawn`, which reads the runner's
 * stdout and stderr from the pipes the controller holds into a tail bounded to 200 lines / 64 KiB and, when the
 * runner's end is abnormal — a signal or a non-zero exit code; a job whose tests fail exits 0 and is skipped —
 * reports one record of its last lines on the controller's own log: "death log captured", tagged with the pod.
 * The reconcile loop reports the same record again each time it observes the end; `DeathLog.report` recognises
 * its key and emits nothing more. By the time the reaper deletes the pod, the trail is already in the
 * controller's durable output.
 *
 * The runner's lines are data: whatever the workflow prints (ANSI escapes, a line shaped like the controller's
 * own record), each line is escaped and carried inside the record's `lines`, never written as a log line.
 */
import * as Command from "@effect/platform/Command"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { DeathLog } from "@lifeline/death-log"
import { Effect, Layer, Logger, LogLevel, Metric, MetricState, Option, type Scope } from "effect"
import type { Context } from "../shared/Example.ts"
import * as Audit from "./audit.ts"
import * as Controller from "./controller.ts"
import * as ControllerLog from "./controllerLog.ts"
import type { LifelineFigures } from "./judge.ts"
import * as Replay from "./replay.ts"
import * as Runner from "./runner.ts"

const nodeExecutor = NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))

// #region spawn
const start = (runner: Replay.Runner) =>
  Command.make(process.execPath, ...Runner.argv(runner.pod, runner.fate)).pipe(
    DeathLog.spawn({
      name: "runner", // fixed: the metric tag, and the record's key `runner:<pid>`
      tags: { pod: runner.pod, pool: Replay.pool },
      tail: { maxLines: Replay.tailMaxLines, maxBytes: Replay.tailMaxBytes }, // 200 lines / 64 KiB
      killAfter: Replay.killAfter // 2 seconds: if the controller stops the runner, SIGTERM, then SIGKILL
      // classify: the default — exit code 0 is clean, another code or a signal is a death
    }),
    // Every runner line is also an Info entry; the controller's own log keeps only the records (Error).
    Logger.withMinimumLogLevel(LogLevel.Warning),
    Effect.provide(nodeExecutor)
  )
// #endregion spawn

// #region reconcile
const reconcile = ({ status }: Controller.Ended<DeathLog.SpawnResult>): Effect.Effect<void> =>
  // Each observation of an end reports its record again: same key, so it is emitted once.
  Option.match(status.record, { onNone: () => Effect.void, onSome: DeathLog.report })
// #endregion reconcile

/** The value of a `lifeline_*` counter tagged `name`, from the metric registry. */
const counter = (metric: string, name: string): Effect.Effect<number> =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.reduce(
      (total, { metricKey, metricState }) =>
        metricKey.name === metric && metricKey.tags.some((t) => t.key === "name" && t.value === name) &&
          MetricState.isCounterState(metricState)
          ? total + Number(metricState.count)
          : total,
      0
    ))

/** `start`, telling the recording how much of a dead runner's output its record kept. */
const captured = (ctx: Context<LifelineFigures>) => (runner: Replay.Runner) =>
  Effect.tap(start(runner), ({ record }) =>
    Option.match(record, {
      onNone: () => Effect.void,
      onSome: (r) =>
        Effect.sync(() =>
          ctx.event("death log captured", { pod: runner.pod, lines: r.lines.length, droppedLines: r.droppedLines })
        )
    }))

export const run = (ctx: Context<LifelineFigures>): Effect.Effect<LifelineFigures, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const log = ControllerLog.make()
    const reports = yield* Controller.run({
      start: Replay.recordLives(ctx, captured(ctx)),
      reconcile,
      // Nothing of the runner's output is left on the node to lose: the controller read it from its pipes.
      discard: (runner) => Effect.sync(() => ctx.event("reaped", { pod: runner.pod }))
    }).pipe(Effect.provide(log.layer))
    const duplicatesSuppressed = yield* counter("lifeline_death_log_duplicates_total", "runner")
    return { ...Audit.read(log.lines(), reports), duplicatesSuppressed }
  })
