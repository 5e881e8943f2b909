/**
 * Health judged by progress: a periodic child is stalled when its current run has outlived `timeout + grace`
 * or when nothing has succeeded for `staleAfter`, both measured on the monotonic clock; a keep-alive child
 * reports its lifecycle. `healthApp` serves the report to liveness probes.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as api from "../Supervisor.ts"
import { type Child, impl } from "./model.ts"

const childState = (child: Child, now: number): api.ChildState => {
  if (child.phase === "failed") return "failed"
  if (child.kind === "keep-alive") return child.phase
  if (child.run !== undefined && now - child.run.startedAt > child.stallAfterMillis) return "stalled"
  if (now - (child.lastSuccess?.at ?? child.startedAt) > child.staleAfterMillis) return "stalled"
  return "running"
}

export const report = (self: api.Supervisor): api.Health => {
  const sup = impl(self)
  const now = sup.now()
  let healthy = sup.status === "open"
  const children: Array<api.ChildHealth> = []
  for (const child of sup.children.values()) {
    const state = childState(child, now)
    if (state === "stalled" || state === "failed") healthy = false
    children.push({
      name: child.name,
      kind: child.kind,
      state,
      restarts: child.restarts,
      lastSuccessAt: child.lastSuccess?.date ?? null,
      lastFailure: child.lastFailure ?? null,
      consecutiveFailures: child.consecutiveFailures,
      missedTicks: child.missedTicks,
      abandonedRuns: child.abandonedRuns
    })
  }
  return { healthy, supervisor: sup.name, children }
}

export const health = (self: api.Supervisor): Effect.Effect<api.Health> => Effect.sync(() => report(self))

const allowed = "GET, HEAD"

/** The path of a request target, without query or fragment; origin-form (`/healthz?x`) or absolute-form. */
const pathOf = (url: string): string => {
  if (!url.startsWith("/")) {
    try {
      return new URL(url).pathname
    } catch {
      return url
    }
  }
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

const respond = (self: api.Supervisor, method: string, url: string): HttpServerResponse.HttpServerResponse => {
  if (pathOf(url) !== "/healthz") return HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404 })
  if (method !== "GET" && method !== "HEAD") {
    return HttpServerResponse.unsafeJson({ error: "method not allowed" }, { status: 405, headers: { allow: allowed } })
  }
  const health = report(self)
  const status = health.healthy ? 200 : 503
  return method === "HEAD"
    ? HttpServerResponse.empty({ status, headers: { "content-type": "application/json" } })
    : HttpServerResponse.unsafeJson(health, { status })
}

export const healthApp = (self: api.Supervisor): HttpApp.Default =>
  Effect.flatMap(
    HttpServerRequest.HttpServerRequest,
    (request) => Effect.sync(() => respond(self, request.method, request.url))
  )
