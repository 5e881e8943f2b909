import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as api from "../Metrics.ts"

export const counter = (name: string, description: string): Metric.Metric.Counter<number> =>
  Metric.counter(name, { description, incremental: true })

// Effect caches a metric's registry entry per tag array (by identity), so one array per bound series makes an
// update a property read and a hook call; `Metric.tagged` merges tags into a new array on every update.
export const bind = <Type, In, Out>(
  metric: Metric.Metric<Type, In, Out>,
  tags: Readonly<Record<string, string>>
): api.Bound<In> => {
  const labels = Object.entries(tags).map(([key, value]) => MetricLabel.make(key, value))
  const unsafeUpdate = (input: In): void => metric.unsafeUpdate(input, labels)
  return {
    unsafeUpdate,
    update: (input) => Effect.sync(() => unsafeUpdate(input))
  }
}
