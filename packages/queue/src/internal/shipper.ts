/**
 * The shipper, assembled: a dropping queue in front (`state.ts`), one background fiber that collects batches
 * (`collect.ts`) and sends them (`send.ts`), and a finalizer that flushes within its budget (`close.ts`).
 */
import { Deadline, Options } from "@lifeline/deadline"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Scope from "effect/Scope"
import type * as api from "../Shipper.ts"
import { DroppingQueueImpl } from "./droppingQueue.ts"
import { close } from "./shipper/close.ts"
import { collect } from "./shipper/collect.ts"
import { resolve } from "./shipper/config.ts"
import { sender } from "./shipper/send.ts"
import { selfAnnotation, ShipperImpl, TypeId } from "./shipper/state.ts"

export { batchSize, droppedTotal, selfAnnotation, sendFailuresTotal, shippedTotal, TypeId } from "./shipper/state.ts"

export const make = <A, E, R>(
  options: api.Options<A, E, R>
): Effect.Effect<api.Shipper<A>, Deadline.InvalidOptions, Scope.Scope | R> =>
  Effect.gen(function* () {
    const config = yield* resolve(options)
    const queue = yield* Options.attempt(() =>
      new DroppingQueueImpl<A>({
        capacity: options.capacity,
        maxBytes: options.maxBytes,
        weigh: options.weigh,
        strategy: options.strategy,
        name: config.name
      })
    )
    const state = new ShipperImpl<A>(config.name, queue)
    // The loop's fiber inherits this clock: read once, so that a batch reads the time without an effect.
    const ship = sender(state, config, yield* Effect.clock)
    const loop: Effect.Effect<void, never, R> = Effect.flatMap(
      collect(state, config),
      (batch) => batch.length === 0 ? Effect.void : Effect.flatMap(ship(batch), () => loop)
    )
    // Everything logged on the shipper's fibers — its own warnings, a deadline's "could not be interrupted",
    // lines its `send` logs — carries the mark, so a logger that feeds this shipper does not feed it back.
    // The shipper outlives the call that made it: its budgets are its own, not what is left of that call's.
    const own = <X, E2, R2>(self: Effect.Effect<X, E2, R2>) =>
      Deadline.detach(Effect.annotateLogs(self, selfAnnotation, config.name))
    // Started and registered for closing in one uninterruptible step, so no interruption can leave it orphaned.
    yield* Effect.uninterruptible(
      Effect.flatMap(
        Effect.forkDaemon(Effect.interruptible(own(loop))),
        (fiber) => Effect.addFinalizer(() => own(close(state, config, fiber)))
      )
    )
    return state
  })

export const submit: {
  <A>(item: A): (self: api.Shipper<A>) => Effect.Effect<boolean>
  <A>(self: api.Shipper<A>, item: A): Effect.Effect<boolean>
} = dual(2, <A>(self: api.Shipper<A>, item: A) => Effect.sync(() => self.unsafeSubmit(item)))

export const stats = <A>(self: api.Shipper<A>): Effect.Effect<api.Stats> => Effect.sync(() => self.unsafeStats())

export const isShipper = (u: unknown): u is api.Shipper<unknown> => typeof u === "object" && u !== null && TypeId in u
