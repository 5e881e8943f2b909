/**
 * Closing: stop intake, let the loop drain the queue within `flushTimeout` in total, then cut it whatever it is
 * doing, count what was not shipped and write one summary line. Shutdown is never held past the flush budget
 * (plus the deadline grace of a send that cannot be interrupted).
 */
import { Deadline, Monotonic } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type { Config } from "./config.ts"
import type { ShipperImpl } from "./state.ts"

export const close = <A, E, R>(
  state: ShipperImpl<A>,
  config: Config<A, E, R>,
  loop: Fiber.RuntimeFiber<void>
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const startedAt = yield* Monotonic.now
    state.startClosing(startedAt + config.flushTimeoutMs)
    // The loop drains the queue on its own, without lingering; past the flush budget it is cut.
    yield* Fiber.await(loop).pipe(
      Deadline.within(Duration.millis(config.flushTimeoutMs), { label: `${config.name}.flush`, grace: Duration.zero }),
      Effect.ignore
    )
    yield* Fiber.interrupt(loop)
    state.markAbandoned()
    state.dropRemaining()
    const flushMs = (yield* Monotonic.now) - startedAt
    const s = state.unsafeStats()
    const log = s.dropped > 0 || s.rejected > 0 ? Effect.logWarning : Effect.logInfo
    yield* log("shipper closed").pipe(
      Effect.annotateLogs({
        shipper: config.name,
        shipped: s.shipped,
        dropped: s.dropped,
        droppedAtShutdown: s.droppedAtShutdown,
        rejected: s.rejected,
        abandoned: s.abandoned,
        flushMs: Math.round(flushMs)
      })
    )
  })
