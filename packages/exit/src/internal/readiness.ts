import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { currentShutdown } from "./shutdown.ts"

// Probes must see the state of now, never a cached answer.
const headers = { "cache-control": "no-store" }

export const readinessApp: HttpApp.Default = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
  if (request.url.split("?", 1)[0] !== "/readyz") {
    return Effect.succeed(HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404, headers }))
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return Effect.succeed(
      HttpServerResponse.unsafeJson({ error: "method not allowed" }, {
        status: 405,
        headers: { ...headers, allow: "GET, HEAD" }
      })
    )
  }
  return Effect.map(FiberRef.get(currentShutdown), (state) => {
    const status = state.started ? 503 : 200
    // A HEAD answer has no body on every server, Node's and the web handler alike.
    return request.method === "HEAD"
      ? HttpServerResponse.empty({ status, headers: { ...headers, "content-type": "application/json" } })
      : HttpServerResponse.unsafeJson({ ready: !state.started }, { status, headers })
  })
})
