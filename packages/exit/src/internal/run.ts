import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import type * as api from "../Main.ts"
import { resolve } from "./options.ts"
import { detect } from "./runtime/detect.ts"
import type { Host } from "./runtime/host.ts"
import { Controller, processState } from "./shutdown.ts"
import { encode } from "./summary.ts"
import { type Outcome, supervise } from "./supervise.ts"

/** The exit code for options that never let the program start: the usual code of a usage error. */
export const invalidOptionsCode = 2

/** `Main.run` on a given host. Everything runtime-specific is behind `host`. */
export const runWith = <A, E>(host: Host, program: Effect.Effect<A, E>, options: api.RunOptions | undefined): void => {
  const resolved = resolve(options)
  if (Either.isLeft(resolved)) {
    host.writeError(`@lifeline/exit: invalid options: ${resolved.left.message}`)
    host.exit(
      invalidOptionsCode,
      encode({ code: invalidOptionsCode, reason: "failed", signal: undefined, elapsedMs: 0, stillRunning: undefined })
    )
    return
  }
  const controller = new Controller(processState)
  // Installed before the program's first step: a program that completes synchronously, or a signal that
  // arrives at once, still finds them.
  const removers: Array<() => void> = []
  for (const signal of resolved.right.signals) {
    try {
      removers.push(host.onSignal(signal, () => controller.signal(signal)))
    } catch (error) {
      host.writeError(`@lifeline/exit: cannot listen to ${signal} on ${host.runtime}: ${String(error)}`)
    }
  }
  removers.push(host.onCrash((error, origin) => controller.crash(error, origin)))
  // Without a pending timer a program that waits only for a signal would let the runtime exit on its own.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  const finish = (outcome: Outcome) => {
    clearInterval(keepAlive)
    for (const remove of removers) remove()
    host.exit(outcome.code, encode(outcome))
  }
  Effect.runFork(
    supervise(program, resolved.right, controller).pipe(
      // Only a bug of this package gets here; the process must still end, and say so.
      Effect.catchAllCause((cause) =>
        Effect.as(Effect.logError("@lifeline/exit failed", cause), {
          code: resolved.right.codes.defect,
          reason: "defect" as const,
          signal: undefined,
          elapsedMs: 0,
          stillRunning: undefined
        })
      ),
      Effect.flatMap((outcome) => Effect.sync(() => finish(outcome)))
    )
  )
}

export const run: {
  (options?: api.RunOptions): <A, E>(program: Effect.Effect<A, E>) => void
  <A, E>(program: Effect.Effect<A, E>, options?: api.RunOptions): void
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E>(program: Effect.Effect<A, E>, options?: api.RunOptions): void => runWith(detect(), program, options)
)
