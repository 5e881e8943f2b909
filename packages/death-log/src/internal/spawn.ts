import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as PlatformError from "@effect/platform/Error"
import { Options } from "@lifeline/deadline"
import type { Deadline } from "@lifeline/deadline"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as api from "../DeathLog.ts"
import type * as LogTail from "../LogTail.ts"
import { escape } from "./escape.ts"
import { type Input, Tail } from "./logTail.ts"
import { decodeSpawn, type SpawnSpec } from "./options.ts"
import { record, report } from "./report.ts"
import { boundedBy, stop } from "./stop.ts"

/**
 * How long output is still read after the child has exited. What it wrote last is in the pipes by then and
 * takes milliseconds to read; a pipe still open after this is held by a grandchild, which is not waited for.
 */
const drainTimeout = Duration.seconds(2)

/** Each line the child writes is logged on its own, as data (escaped), annotated with who wrote it. */
const logLines = (lines: ReadonlyArray<LogTail.Line>): Effect.Effect<void> =>
  lines.length === 0 ? Effect.void : Effect.forEach(lines, (line) => Effect.logInfo(line.text), {
    discard: true
  })

const pump = (
  stream: Stream.Stream<Uint8Array, PlatformError.PlatformError>,
  input: Input
): Effect.Effect<void> =>
  Stream.runForEachChunk(stream, (chunk) =>
    Effect.suspend(() => {
      const added: Array<LogTail.Line> = []
      for (const bytes of chunk) input.write(bytes, added)
      return logLines(added)
    })).pipe(
      Effect.catchAll((error) => Effect.logWarning("death log: could not read the child's output", error))
    )

// The platform reports an end by signal only as the text of its error ("…receipt of signal: SIGKILL").
const signalPattern = /\bsignal:?\s*(SIG[A-Z0-9]+)/

const signalOf = (error: PlatformError.PlatformError): string | null => {
  const texts = [
    error.message,
    error._tag === "SystemError" ? error.description : undefined
  ]
  for (const text of texts) {
    const match = text === undefined ? null : signalPattern.exec(text)
    if (match !== null) return match[1]!
  }
  return null
}

interface Ended {
  readonly pid: number
  readonly exitCode: number | null
  readonly signal: string | null
  readonly endedAt: Date
}

/**
 * The child's lifetime, in a scope of its own. If the caller is interrupted, the release stops the child
 * (SIGTERM, then SIGKILL after `killAfter`) before the platform's own finalizer runs, which would otherwise
 * wait for the exit forever; a child that survives even SIGKILL is left to that finalizer on a detached fiber.
 */
const run = (
  command: Command.Command,
  spec: SpawnSpec,
  tail: Tail
): Effect.Effect<
  Ended,
  PlatformError.PlatformError,
  CommandExecutor.CommandExecutor
> =>
  Effect.scoped(Effect.gen(function* () {
    const childScope = yield* Scope.make()
    const child = yield* Effect.acquireRelease(
      Command.start(command).pipe(
        Scope.extend(childScope),
        Effect.onError(() => Scope.close(childScope, Exit.void))
      ),
      (child) =>
        Effect.flatMap(stop(child, spec.name, spec.killAfter), (gone) =>
          gone ? Scope.close(childScope, Exit.void) : Effect.logWarning(
            "death log: child still running after SIGKILL; left behind"
          ).pipe(
            Effect.annotateLogs({ name: spec.name, pid: child.pid }),
            Effect.zipRight(
              Effect.forkDaemon(Scope.close(childScope, Exit.void))
            )
          ))
    )
    const who = { name: spec.name, pid: child.pid }
    const stdout = tail.input()
    const stderr = tail.input()
    // Forked into the child's scope, not as children of this fiber: an interruption of the caller reaches this
    // fiber's children at once, and the child's last words (its SIGTERM handler's) are worth reading until it is
    // gone. Closing the child's scope, after it is stopped, ends them.
    const reading = yield* Effect.forkIn(
      Effect.all([
        Effect.annotateLogs(pump(child.stdout, stdout), {
          ...who,
          stream: "stdout"
        }),
        Effect.annotateLogs(pump(child.stderr, stderr), {
          ...who,
          stream: "stderr"
        })
      ], { concurrency: 2, discard: true }),
      childScope
    )
    const exit = yield* Effect.either(child.exitCode)
    const endedAt = new Date(yield* Clock.currentTimeMillis)
    if (!(yield* boundedBy(Fiber.join(reading), drainTimeout))) {
      yield* Fiber.interrupt(reading)
    }
    for (
      const [input, stream] of [[stdout, "stdout"], [stderr, "stderr"]] as const
    ) {
      const added: Array<LogTail.Line> = []
      input.flush(added)
      yield* Effect.annotateLogs(logLines(added), { ...who, stream })
    }
    return {
      pid: child.pid,
      exitCode: Either.isRight(exit) ? exit.right : null,
      signal: Either.isLeft(exit) ? signalOf(exit.left) : null,
      endedAt
    }
  }))

/** The caller's `classify`, which may throw or return anything: only `"clean"` is clean. */
const classifyEnd = (spec: SpawnSpec, end: api.End): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    const warn = (
      message: string,
      cause: Cause.Cause<never>,
      returned?: string
    ) =>
      Effect.as(
        Effect.annotateLogs(Effect.logWarning(message, cause), {
          name: end.name,
          pid: end.pid,
          ...(returned === undefined ? {} : { returned })
        }),
        true
      )
    let verdict: unknown
    try {
      verdict = spec.classify(end)
    } catch (error) {
      return warn(
        "death log: classify threw; the end counts as abnormal",
        Cause.die(error)
      )
    }
    if (verdict === "clean") return Effect.succeed(false)
    if (verdict === "abnormal") return Effect.succeed(true)
    return warn(
      'death log: classify returned neither "clean" nor "abnormal"; the end counts as abnormal',
      Cause.empty,
      typeof verdict === "string" ? escape(verdict).slice(0, 100) : typeof verdict
    )
  })

type Spawned = Effect.Effect<
  api.SpawnResult,
  Deadline.InvalidOptions | PlatformError.PlatformError,
  CommandExecutor.CommandExecutor
>

const spawnImpl = (command: Command.Command, options: api.SpawnOptions): Spawned =>
  Effect.gen(function* () {
    const spec = yield* Options.attempt(() => decodeSpawn(command, options))
    const tail = new Tail(spec.tail, escape)
    const ended = yield* run(command, spec, tail)
    const { exitCode, signal } = ended
    const abnormal = yield* classifyEnd(spec, {
      name: spec.name,
      pid: ended.pid,
      exitCode,
      signal
    })
    if (!abnormal) return { exitCode, signal, abnormal, record: Option.none() }
    const death = record({
      key: `${spec.name}:${ended.pid}`,
      name: spec.name,
      pid: ended.pid,
      exitCode,
      signal,
      endedAt: ended.endedAt,
      tags: spec.tags,
      snapshot: tail.snapshot()
    })
    yield* report(death)
    return { exitCode, signal, abnormal, record: Option.some(death) }
  })

export const spawn: {
  (options: api.SpawnOptions): (command: Command.Command) => Spawned
  (command: Command.Command, options: api.SpawnOptions): Spawned
} = dual(2, spawnImpl)
