import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"
import type * as api from "../DeathLog.ts"
import { escape } from "./escape.ts"
import { Tail } from "./logTail.ts"
import { decodeGuard } from "./options.ts"
import { record, report } from "./report.ts"

/** The host process's id where the runtime has one (Node, Deno, Bun), else 0. */
const hostPid = (): number => {
  const pid = (globalThis as { readonly process?: { readonly pid?: unknown } })
    .process?.pid
  return typeof pid === "number" ? pid : 0
}

/** Guarded runs started in this process: numbers each run, so two deaths of one name are two keys. */
let runs = 0

const guardImpl = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  options: api.GuardOptions
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    // Bad options are a programming error, as a bad grace is for `Deadline.within`: thrown here, they die.
    const spec = decodeGuard(options)
    const run = ++runs
    const tail = new Tail(spec.tail, escape)
    // One line per log call, as logfmt (time, level, fiber, message, annotations); the tail escapes it. A log
    // call of the guarded effect must never fail because of this copy.
    const capture = Logger.make<unknown, void>((entry) => {
      try {
        tail.append(Logger.logfmtLogger.log(entry))
      } catch {
        // a message whose rendering throws is not kept; the effect's own loggers still see it
      }
    })
    return Effect.onExit(
      Effect.locallyWith(self, FiberRef.currentLoggers, HashSet.add(capture)),
      (exit) => {
        if (Exit.isSuccess(exit) || !Cause.isDie(exit.cause)) {
          return Effect.void
        }
        return Effect.gen(function* () {
          tail.append(
            `defect: ${Cause.pretty(exit.cause, { renderErrorCause: true })}`
          )
          const pid = hostPid()
          yield* report(record({
            key: `${spec.name}:${pid}#${run}`,
            name: spec.name,
            pid,
            exitCode: null,
            signal: null,
            endedAt: new Date(yield* Clock.currentTimeMillis),
            tags: spec.tags,
            snapshot: tail.snapshot()
          }))
        })
      }
    )
  })

export const guard: {
  (
    options: api.GuardOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    options: api.GuardOptions
  ): Effect.Effect<A, E, R>
} = dual(2, guardImpl)
