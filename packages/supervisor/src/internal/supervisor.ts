/**
 * Making a supervisor and waiting for its end. The supervisor lives in the caller's `Scope`: closing it stops
 * every child (see `stop.ts`) and completes `join`.
 */
import { type Deadline, Options } from "@lifeline/deadline"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type * as api from "../Supervisor.ts"
import { impl, type IntensityLimit, type RestartIntensityExceeded, SupervisorImpl } from "./model.ts"
import { stop } from "./stop.ts"

const stopTimeoutOption = Options.optional(Options.positiveDuration, Duration.seconds(5))

const intensityOption = (value: unknown): Either.Either<IntensityLimit | undefined, Deadline.InvalidOptions> => {
  if (value === undefined) return Either.right(undefined)
  if (typeof value !== "object" || value === null) {
    return Either.left(Options.invalid("intensity", value, "must be { maxRestarts, within }"))
  }
  const { maxRestarts, within } = value as Partial<api.Intensity>
  return Either.zipWith(
    Options.positiveInteger("intensity.maxRestarts", maxRestarts),
    Options.positiveDuration("intensity.within", within),
    (maxRestarts, within): IntensityLimit => ({ maxRestarts, withinMillis: Duration.toMillis(within) })
  )
}

export const make = (options: api.Options): Effect.Effect<api.Supervisor, Deadline.InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const name = yield* Options.name("name", options?.name)
    const stopTimeout = yield* stopTimeoutOption("stopTimeout", options.stopTimeout)
    const intensity = yield* intensityOption(options.intensity)
    const clock = yield* Effect.clock
    const done = yield* Deferred.make<void, RestartIntensityExceeded>()
    const sup = new SupervisorImpl(name, intensity, Duration.toMillis(stopTimeout), clock, done)
    yield* Effect.addFinalizer(() =>
      stop(sup, "scope closed").pipe(Effect.zipRight(Deferred.succeed(done, undefined)), Effect.asVoid)
    )
    return sup
  })

export const join = (self: api.Supervisor): Effect.Effect<void, api.RestartIntensityExceeded> =>
  Deferred.await(impl(self).done)
