import * as Metric from "effect/Metric"
import * as MetricKey from "effect/MetricKey"
import type * as MetricKeyType from "effect/MetricKeyType"
import * as MetricLabel from "effect/MetricLabel"

export type CounterKey = MetricKey.MetricKey.Counter<number>

export const counterKey = (name: string, description: string): CounterKey =>
  MetricKey.counter(name, { description, incremental: true })

/**
 * A metric bound to fixed tags. Unlike `Metric.tagged`, whose every update merges tag arrays and looks the
 * key up in the registry again, its hook is resolved once: updating it costs a few property reads.
 */
export const bound = <Type extends MetricKeyType.MetricKeyType<any, any>>(
  key: MetricKey.MetricKey<Type>,
  tags: Record<string, string>
): Metric.Metric<Type, MetricKeyType.MetricKeyType.InType<Type>, MetricKeyType.MetricKeyType.OutType<Type>> =>
  Metric.fromMetricKey(
    MetricKey.taggedWithLabels(key, Object.entries(tags).map(([k, v]) => MetricLabel.make(k, v)))
  )

export const boundCounter = (
  key: CounterKey,
  tags: Record<string, string>
): Metric.Metric<MetricKeyType.MetricKeyType.Counter<number>, number, unknown> => bound(key, tags)

export const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []
