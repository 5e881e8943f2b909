import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"
import { Metrics } from "@lifeline/deadline"

describe("Metrics", () => {
  it.effect("a bound counter updates the series Metric.tagged reads, tags in the order given", () =>
    Effect.gen(function* () {
      const counter = Metrics.counter("lifeline_test_bound_total", "A counter bound in a test")
      const logs = Metrics.bind(counter, { shipper: "logs", reason: "shutdown" })
      logs.unsafeUpdate(2)
      yield* logs.update(3)
      const read = (shipper: string) =>
        Metric.value(counter.pipe(Metric.tagged("shipper", shipper), Metric.tagged("reason", "shutdown")))
      expect((yield* read("logs")).count).toBe(5)
      expect((yield* read("audit")).count).toBe(0)
      expect((yield* Metric.value(counter)).count).toBe(0)
    }))

  it.effect("a counter only goes up", () =>
    Effect.gen(function* () {
      const counter = Metrics.counter("lifeline_test_monotonic_total", "A counter that ignores decrements")
      const series = Metrics.bind(counter, { name: "x" })
      series.unsafeUpdate(4)
      series.unsafeUpdate(-3)
      expect((yield* Metric.value(Metric.tagged(counter, "name", "x"))).count).toBe(4)
    }))

  it.effect("a metric not made by Metrics.counter binds too", () =>
    Effect.gen(function* () {
      const histogram = Metric.histogram(
        "lifeline_test_histogram",
        MetricBoundaries.linear({ start: 0, width: 10, count: 3 })
      )
      const bound = Metrics.bind(histogram, { shipper: "logs" })
      bound.unsafeUpdate(5)
      bound.unsafeUpdate(15)
      expect((yield* Metric.value(Metric.tagged(histogram, "shipper", "logs"))).count).toBe(2)
    }))
})
