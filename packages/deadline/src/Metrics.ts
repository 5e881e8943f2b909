/**
 * The one way Lifeline packages declare and update metrics: monotonic counters named `lifeline_*`, and
 * series bound once to fixed tags that the caller chose (a `label`, a `name`), never to data such as URLs
 * or ids, so the number of series stays bounded.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import * as internal from "./internal/metrics.ts"

/**
 * A series of a metric bound to fixed tags, resolved once: updating it allocates nothing. `unsafeUpdate`
 * is for synchronous hot paths (an offer); `update` is the same as an Effect.
 *
 * @example
 * ```ts
 * import { Metrics } from "@lifeline/deadline"
 *
 * const dropped = Metrics.bind(Metrics.counter("lifeline_example_dropped_total", "Items dropped"), { queue: "logs" })
 * dropped.unsafeUpdate(1)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Bound<in In> {
  readonly unsafeUpdate: (input: In) => void
  readonly update: (input: In) => Effect.Effect<void>
}

/**
 * A counter that only goes up (negative increments are ignored), as every `lifeline_*_total` is.
 *
 * @example
 * ```ts
 * import { Metrics } from "@lifeline/deadline"
 * import { Effect, Metric } from "effect"
 *
 * const restarts = Metrics.counter("lifeline_example_restarts_total", "Restarts of example children")
 * const program = Metric.increment(Metric.tagged(restarts, "child", "poller"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const counter: (name: string, description: string) => Metric.Metric.Counter<number> = internal.counter

/**
 * Binds a metric to fixed tags, in the order given. Read the series back with `Metric.tagged` in the same
 * order: Effect tells series apart by their tags in order.
 *
 * @example
 * ```ts
 * import { Metrics } from "@lifeline/deadline"
 * import { Effect, Metric } from "effect"
 *
 * const shipped = Metrics.counter("lifeline_example_shipped_total", "Items shipped")
 * const logs = Metrics.bind(shipped, { shipper: "logs" })
 * const program = Effect.gen(function*() {
 *   yield* logs.update(500)
 *   const state = yield* Metric.value(shipped.pipe(Metric.tagged("shipper", "logs")))
 *   console.log(state.count) // 500
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bind: <Type, In, Out>(
  metric: Metric.Metric<Type, In, Out>,
  tags: Readonly<Record<string, string>>
) => Bound<In> = internal.bind
