import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricKey from "effect/MetricKey"
import type * as MetricKeyType from "effect/MetricKeyType"
import * as MetricLabel from "effect/MetricLabel"
import type * as api from "../Metrics.ts"

type CounterKey = MetricKey.MetricKey<MetricKeyType.MetricKeyType.Counter<number>>

/** The keys of the counters made here: binding one of them resolves its series' registry entry once. */
const keys = new WeakMap<object, CounterKey>()

export const counter = (name: string, description: string): Metric.Metric.Counter<number> => {
  const key = MetricKey.counter(name, { description, incremental: true })
  const metric = Metric.fromMetricKey(key)
  keys.set(metric, key)
  return metric
}

const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []

export const bind = <Type, In, Out>(
  metric: Metric.Metric<Type, In, Out>,
  tags: Readonly<Record<string, string>>
): api.Bound<In> => {
  const labels = Object.entries(tags).map(([key, value]) => MetricLabel.make(key, value))
  const key = keys.get(metric)
  // A metric made from a key caches the registry entry of its untagged series, so a metric made from the key of
  // the tagged series updates with one property read. Any other metric caches an entry per tag array, by
  // identity: one array per bound series keeps that lookup a hit (`Metric.tagged` allocates a new array per update).
  const unsafeUpdate: (input: In) => void = key === undefined ? (input) => metric.unsafeUpdate(input, labels) : (() => {
    const series = Metric.fromMetricKey(MetricKey.taggedWithLabels(key, labels)) as unknown as Metric.Metric<
      Type,
      In,
      Out
    >
    return (input: In) => series.unsafeUpdate(input, noTags)
  })()
  return {
    unsafeUpdate,
    update: (input) => Effect.sync(() => unsafeUpdate(input))
  }
}
