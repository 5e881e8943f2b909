/**
 * `/metrics`: the process's `lifeline_*` metrics in the Prometheus text format, served beside `/healthz` so that
 * one port answers the kubelet's probes and Prometheus's scrapes.
 *
 * Lifeline's packages count into Effect's metric registry and depend on nothing else; exporting is the
 * application's choice. Here `@effect/opentelemetry` reads the registry as an OpenTelemetry `MetricProducer`,
 * and the OpenTelemetry SDK's Prometheus exporter — a `MetricReader` that starts no server of its own — collects
 * it on each scrape and its serializer writes the text. Counters keep their names (`lifeline_*_total`, type
 * `counter`) and tags become labels; the one histogram (`lifeline_shipper_batch_size`) gets the usual `_bucket`,
 * `_sum` and `_count` series.
 */
import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as OtelResource from "@effect/opentelemetry/Resource"
import type { HttpApp } from "@effect/platform"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { Effect, Layer, type Scope } from "effect"

/** The content type of the Prometheus text exposition format. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

/**
 * Makes a `/metrics` handler for the life of the scope and returns `app` with it in front: `GET`/`HEAD /metrics`
 * answer the metrics, every other request goes to `app`. `service` names the process in `target_info`.
 */
export const beside = <E, R>(
  app: HttpApp.Default<E, R>,
  service: string
): Effect.Effect<HttpApp.Default<E, R | HttpServerRequest.HttpServerRequest>, never, Scope.Scope> =>
  Effect.gen(function* () {
    // #region exporter
    // Scope labels would add `otel_scope_name="@effect/opentelemetry/Metrics"` to every series: noise.
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true })
    // No name prefix, no timestamps, no resource labels, target_info kept, scope labels left out.
    const serializer = new PrometheusSerializer(undefined, false, undefined, false, true)
    // Registers the producer with the exporter; closing the scope shuts the exporter down.
    yield* Layer.build(
      OtelMetrics.layer(() => exporter).pipe(Layer.provide(OtelResource.layer({ serviceName: service })))
    )
    const scrape = Effect.promise(() => exporter.collect()).pipe(
      Effect.map(({ resourceMetrics }) => serializer.serialize(resourceMetrics))
    )
    // #endregion exporter
    return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      if (request.url.split("?", 1)[0] !== "/metrics") return app
      if (request.method === "HEAD") {
        return Effect.succeed(HttpServerResponse.empty({ status: 200, headers: { "content-type": contentType } }))
      }
      if (request.method !== "GET") {
        return Effect.succeed(HttpServerResponse.empty({ status: 405, headers: { allow: "GET, HEAD" } }))
      }
      return Effect.map(scrape, (text) => HttpServerResponse.text(text, { contentType }))
    })
  })
