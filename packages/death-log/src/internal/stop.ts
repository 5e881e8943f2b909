import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import { Metrics, Monotonic } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/** How long to wait for the exit after SIGKILL, which cannot be caught, before giving the child up. */
export const killGrace = Duration.seconds(1)

const killed = Metrics.counter(
  "lifeline_death_log_killed_total",
  "Children that ignored SIGTERM for killAfter and were sent SIGKILL, by name"
)

/**
 * Runs `effect` for at most `duration` and returns whether it finished. It runs on a fiber of its own, made
 * interruptible, so the bound holds inside a finalizer too (where Effect runs everything uninterruptibly and an
 * `Effect.timeout` would wait for the work); that fiber ends before this returns.
 */
export const boundedBy = (
  effect: Effect.Effect<unknown, unknown>,
  duration: Duration.Duration
) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      Effect.forkDaemon(
        Effect.interruptible(
          Effect.raceFirst(
            Effect.as(Effect.ignore(effect), true),
            Effect.as(Monotonic.sleep(duration), false)
          )
        )
      ),
      (fiber) =>
        restore(Fiber.join(fiber)).pipe(
          Effect.onInterrupt(() => Fiber.interrupt(fiber))
        )
    )
  )

const running = (child: CommandExecutor.Process) => Effect.orElseSucceed(child.isRunning, () => false)

/**
 * Stops a child the caller no longer waits for: SIGTERM to its process group, then SIGKILL after `killAfter`
 * if it is still running. Effect's `Command` sends SIGTERM only, and waits for the exit however long it takes.
 * Returns whether the child is gone.
 */
export const stop = (
  child: CommandExecutor.Process,
  name: string,
  killAfter: Duration.Duration
): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    if (!(yield* running(child))) return true
    // `kill` signals, then waits for the exit: the bound is the time the child gets to shut down.
    yield* boundedBy(child.kill("SIGTERM"), killAfter)
    if (!(yield* running(child))) return true
    yield* Metrics.bind(killed, { name }).update(1)
    yield* Effect.logWarning(
      "death log: child still running killAfter after SIGTERM; sending SIGKILL"
    ).pipe(
      Effect.annotateLogs({
        name,
        pid: child.pid,
        killAfter: Duration.format(killAfter)
      })
    )
    yield* boundedBy(child.kill("SIGKILL"), killGrace)
    return !(yield* running(child))
  })
