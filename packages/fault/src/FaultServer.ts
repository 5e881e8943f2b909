/**
 * Loopback servers that misbehave on purpose, for tests, examples and benchmarks.
 *
 * Every incident Lifeline answers starts with a peer that does not behave, and each replay needs it again:
 * a log sink that accepts the connection and stops reading (`runner-shutdown-hang`, `log-shipper-oom`), an
 * HTTP server that reads a request and never answers it (`patrol-loop-stall`), a dependency that resets or
 * fails some of its calls. A `FaultServer` is that peer, on 127.0.0.1, in the spirit of toxiproxy:
 * `blackhole`, `silent`, `slow`, `reset`, `flaky`, `refused`, plus a well-behaved `ok` baseline and a
 * general `http` server whose replies the test decides.
 *
 * Each server records what a test asserts on: connections opened and when and by whom they were closed,
 * bytes received, requests received. Options, headers included, are checked when the server is made; a
 * reply function or `flaky` rule that throws costs its request a 500, never an uncaught exception or a
 * hanging client. Every constructor is scoped: closing the scope destroys all sockets and closes the
 * listener, and once it has closed the records show every connection closed.
 *
 * @since 0.1.0
 */
import { InvalidOptions as DeadlineInvalidOptions } from "@lifeline/deadline"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Pipeable from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/faultServer.ts"

/**
 * Marks a value as a running {@link FaultServer}. A server carries it; the bare {@link Endpoint} of
 * {@link refused} does not, since nothing listens there.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const listening = (endpoint: FaultServer.Endpoint): boolean => FaultServer.TypeId in endpoint
 *
 * const program = Effect.gen(function*() {
 *   console.log(listening(yield* FaultServer.ok()))       // true
 *   console.log(listening(yield* FaultServer.refused()))  // false
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

/**
 * The type of {@link TypeId}: the key that makes a value a {@link FaultServer}.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * // A helper that accepts only running servers, never a bare endpoint
 * const describe = (server: { readonly [FaultServer.TypeId]: FaultServer.TypeId; readonly url: string }) =>
 *   `fault server at ${server.url}`
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * Options that were rejected when a server was made: the option, the bad value and why. The same class as
 * `InvalidOptions` of `@lifeline/deadline`, which every Lifeline package fails with.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = FaultServer.ok({ headers: { "bad header": "x" } }).pipe(
 *   Effect.catchTag("InvalidOptions", (e) => Effect.log(e.message)),
 *   // headers: must have names that are HTTP tokens: … (got "bad header")
 *   Effect.scoped
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidOptions: new (
  fields: DeadlineInvalidOptions.InvalidOptionsFields
) => DeadlineInvalidOptions.InvalidOptions = DeadlineInvalidOptions.InvalidOptions

/**
 * The type of an {@link InvalidOptions} error: `option`, `value`, `reason`, and a `message` naming them.
 *
 * @example
 * ```ts
 * import type { FaultServer } from "@lifeline/fault"
 *
 * const describe = (e: FaultServer.InvalidOptions) => `${e.option}=${String(e.value)}: ${e.reason}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidOptions = DeadlineInvalidOptions.InvalidOptions

/**
 * The fields of {@link PortInUse}: the address that could not be bound.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const fields: FaultServer.PortInUseFields = { host: "127.0.0.1", port: 8080 }
 * console.log(new FaultServer.PortInUse(fields).message) // 127.0.0.1:8080 is already in use (port 0 picks a free port)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PortInUseFields {
  /** The address asked for. */
  readonly host: string
  /** The fixed port asked for. */
  readonly port: number
}

/**
 * A server was asked for a fixed port that another listener already holds (`EADDRINUSE`).
 *
 * @example
 * ```ts
 * import type { FaultServer } from "@lifeline/fault"
 *
 * // what a test reports when its fixture port is taken by a stray process
 * const explain = (e: FaultServer.PortInUse) => `port ${e.port} on ${e.host} is taken: stop the other listener or use port 0`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface PortInUse extends Cause.YieldableError, PortInUseFields {
  readonly _tag: "PortInUse"
}

/**
 * Makes a {@link PortInUse}, the typed failure of a constructor whose fixed `port` is taken;
 * `Effect.catchTag("PortInUse", …)` catches it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * // a fixed port if it is free, any free port otherwise
 * const server = FaultServer.ok({ port: 8080 }).pipe(
 *   Effect.catchTag("PortInUse", (e) => Effect.zipRight(Effect.log(e.message), FaultServer.ok()))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const PortInUse: new (fields: PortInUseFields) => PortInUse = internal.PortInUse

/**
 * Which kind of misbehaviour a server implements.
 *
 * @example
 * ```ts
 * import type { FaultServer } from "@lifeline/fault"
 *
 * // label a measurement with the peer it was taken against
 * const label = (server: FaultServer.FaultServer, ms: number) => `${server.fault satisfies FaultServer.FaultKind}: ${ms} ms`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind = "http" | "ok" | "silent" | "slow" | "flaky" | "reset" | "blackhole"

/**
 * A loopback address: where a server listens, or where nothing does (`refused`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const endpoint: FaultServer.Endpoint = yield* FaultServer.refused()
 *   console.log(endpoint.url) // http://127.0.0.1:<port>
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint {
  /** The address, `127.0.0.1` unless another host was asked for. */
  readonly host: string
  /** The TCP port. */
  readonly port: number
  /** `http://host:port`, without a trailing slash. */
  readonly url: string
}

/**
 * A running fault server. Read what it saw with {@link stats}; wait for events with
 * {@link awaitConnection}, {@link awaitRequest} and {@link awaitClose}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.silent()
 *   console.log(server.fault, server.url)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultServer extends Endpoint, Pipeable.Pipeable {
  readonly [TypeId]: TypeId
  /** The misbehaviour this server implements. */
  readonly fault: FaultKind
  /** The same snapshot as {@link stats}, for code outside Effect (e.g. a `console.log`). */
  readonly unsafeStats: () => Stats
}

/**
 * One accepted TCP connection. Times are epoch milliseconds (`Date.now()`, the same clock as Effect's
 * live `Clock.currentTimeMillis`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const lifetimes = (server: FaultServer.FaultServer) =>
 *   Effect.map(FaultServer.stats(server), (s) =>
 *     s.connections.map((c: FaultServer.ConnectionRecord) => (c.closedAt ?? Date.now()) - c.openedAt))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectionRecord {
  /** 1 for the first connection accepted, then 2, 3, … */
  readonly id: number
  /** When the server accepted the connection. */
  readonly openedAt: number
  /** When the socket closed; `undefined` while open. */
  readonly closedAt: number | undefined
  /**
   * Who ended it: `"client"` (FIN or RST from the peer), or `"server"` (a `reset` fault, an answer the
   * runtime refused to write, a malformed request, or the scope closing). `undefined` while open; never
   * `undefined` once the scope has closed.
   */
  readonly closedBy: "client" | "server" | undefined
  /** Bytes the server read from this connection (0 for a blackhole that never reads). */
  readonly bytesReceived: number
}

/**
 * What an HTTP server received: one entry per request read in full, in arrival order.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const paths = (server: FaultServer.FaultServer) =>
 *   Effect.map(FaultServer.stats(server), (s) => s.requests.map((r: FaultServer.RequestRecord) => r.path))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord {
  /** 0 for the first request the server received, then 1, 2, … (its position in `stats.requests`). */
  readonly index: number
  /** The `id` of the connection it came on. */
  readonly connection: number
  /** The HTTP method, e.g. `"POST"`. */
  readonly method: string
  /** The request target, path and query, e.g. `"/v1/logs?x=1"`. */
  readonly path: string
  /** Request headers, lower-cased names; repeated headers joined with `", "`. */
  readonly headers: Readonly<Record<string, string>>
  /** Size of the request body in bytes. */
  readonly bodyBytes: number
  /** The body itself, only when the server was made with `recordBodies: true`. */
  readonly body: Uint8Array | undefined
  /** When the request was read in full (epoch ms). */
  readonly receivedAt: number
  /**
   * What the server did with it. An answer the runtime refused to write is recorded as `"reset"`: the
   * connection was reset instead.
   */
  readonly reply: "respond" | "slow" | "silent" | "reset"
  /**
   * Why the request did not get the answer the server was configured with: a reply function or `flaky`
   * rule that threw, or returned an invalid `Reply` (the client got a 500 whose body is this text), or an
   * answer the runtime refused to write (the connection was reset). `undefined` when all went as configured.
   */
  readonly error: string | undefined
}

/**
 * A snapshot of everything a server observed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const report = (server: FaultServer.FaultServer) =>
 *   Effect.map(FaultServer.stats(server), (s: FaultServer.Stats) =>
 *     `${s.opened} opened, ${s.closed} closed, ${s.bytesReceived} bytes, ${s.requests.length} requests`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  /** Connections accepted so far. */
  readonly opened: number
  /** Connections still open. */
  readonly open: number
  /** Connections closed, by either side. `opened = open + closed`. */
  readonly closed: number
  /** Bytes read from all connections, open and closed. */
  readonly bytesReceived: number
  /** Every connection, in the order accepted. */
  readonly connections: ReadonlyArray<ConnectionRecord>
  /** Every HTTP request read in full, in arrival order (always empty for TCP faults). */
  readonly requests: ReadonlyArray<RequestRecord>
}

/**
 * A request as a reply function or a `flaky` predicate sees it.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const echo = (request: FaultServer.RequestInfo): FaultServer.Reply => ({ kind: "respond", body: request.body })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestInfo {
  /** 0 for the first request the server received, then 1, 2, … */
  readonly index: number
  /** The `id` of the connection it came on. */
  readonly connection: number
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/**
 * What an HTTP server does with a request, once it has read it in full:
 * - `respond`: answer at once (`status` default 200, `body` default `"ok"`, or `"status <n>"` for an
 *   error status);
 * - `slow`: answer the same way after `delay` (finite, ≥ 0; delays past a runtime timer's 2^31−1 ms work);
 * - `silent`: never answer, keep the connection open;
 * - `reset`: send a TCP RST (the client sees ECONNRESET or "socket hang up").
 *
 * `status` is a whole number from 200 to 599; `body` a string or a `Uint8Array`; `headers` names are HTTP
 * tokens (RFC 7230) and values visible ASCII or Latin-1 text with spaces and tabs, never CR, LF or NUL.
 *
 * @example
 * ```ts
 * import type { FaultServer } from "@lifeline/fault"
 *
 * const replies: Array<FaultServer.Reply> = [
 *   { kind: "respond", status: 500 },
 *   { kind: "slow", delay: "2 seconds" },
 *   { kind: "silent" },
 *   { kind: "reset" }
 * ]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Reply =
  | {
    readonly kind: "respond"
    /** @default 200 */
    readonly status?: number | undefined
    /** @default "ok" (or "status <n>" for a status of 300 and more) */
    readonly body?: string | Uint8Array | undefined
    /** @default {} */
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
  | {
    readonly kind: "slow"
    /** How long to wait before answering. */
    readonly delay: Duration.DurationInput
    /** @default 200 */
    readonly status?: number | undefined
    /** @default "ok" (or "status <n>" for a status of 300 and more) */
    readonly body?: string | Uint8Array | undefined
    /** @default {} */
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
  | { readonly kind: "silent" }
  | { readonly kind: "reset" }

/**
 * Where a server listens.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const options: FaultServer.ListenOptions = { host: "127.0.0.1", port: 0 }
 * const program = FaultServer.silent(options)
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface ListenOptions {
  /**
   * Address to bind: a non-blank host name or IP address of this machine (else `InvalidOptions`). Only
   * loopback makes sense for a test kit.
   * @default "127.0.0.1"
   */
  readonly host?: string | undefined
  /**
   * TCP port, a whole number from 0 to 65535; 0 picks a free one. A fixed port another listener holds
   * fails with {@link PortInUse}.
   * @default 0
   */
  readonly port?: number | undefined
}

/**
 * Options that leave the port to the system (`port` absent or `0`). Nothing else can hold such a port, so a
 * constructor given them cannot fail with {@link PortInUse}, and its type says so.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * // no PortInUse to handle: the error channel is InvalidOptions alone
 * const server: Effect.Effect<FaultServer.FaultServer, FaultServer.InvalidOptions, never> = FaultServer.ok({ port: 0 })
 *   .pipe(Effect.scoped)
 * // a fixed port may be taken
 * const fixed = FaultServer.ok({ port: 8080 }).pipe(Effect.catchTag("PortInUse", () => FaultServer.ok()))
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface EphemeralPort {
  /** @default 0 */
  readonly port?: 0 | undefined
}

/**
 * Options of every HTTP server.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const options: FaultServer.HttpServerOptions = { recordBodies: true }
 * const program = FaultServer.ok(options)
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface HttpServerOptions extends ListenOptions {
  /**
   * Keep each request body in `stats.requests[i].body`. Off by default, so that a long run (a benchmark,
   * a memory test) does not grow with what it sent.
   * @default false
   */
  readonly recordBodies?: boolean | undefined
}

/**
 * Options of {@link http}.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const options: FaultServer.HttpOptions = {
 *   reply: (request) => request.path === "/hang" ? { kind: "silent" } : { kind: "respond", body: request.body }
 * }
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface HttpOptions extends HttpServerOptions {
  /**
   * The reply to every request, or a function choosing one per request. A fixed reply is checked when the
   * server is made; what a function returns is checked per request. A function that throws, or returns an
   * invalid reply, costs that request a 500 whose body names the problem (also in `RequestRecord.error`).
   * @default { kind: "respond" } (200 "ok")
   */
  readonly reply?: Reply | ((request: RequestInfo) => Reply) | undefined
}

/**
 * Options of {@link ok}.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const options: FaultServer.OkOptions = { body: JSON.stringify({ healthy: true }), headers: { "content-type": "application/json" } }
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface OkOptions extends HttpServerOptions {
  /**
   * The status of every answer, a whole number from 200 to 599.
   * @default 200
   */
  readonly status?: number | undefined
  /**
   * The body of every answer, a string or a `Uint8Array`.
   * @default "ok" (or "status <n>" for a status of 300 and more)
   */
  readonly body?: string | Uint8Array | undefined
  /**
   * Extra response headers: names are HTTP tokens (RFC 7230), values visible ASCII or Latin-1 text with
   * spaces and tabs (never CR, LF or NUL). Anything else fails with `InvalidOptions` when the server is made.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of {@link slow}.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const options: FaultServer.SlowOptions = { delay: "500 millis", status: 200, body: "late" }
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface SlowOptions extends OkOptions {
  /**
   * How long each response waits before it is sent: a finite duration ≥ 0. Delays longer than a runtime
   * timer can wait (2^31−1 ms, about 24.8 days) still wait their full length.
   */
  readonly delay: Duration.DurationInput
}

/**
 * Options of {@link flaky}: exactly one rule (`every`, `first` or `when`) picks the requests that get
 * `fault`; the others get `otherwise`.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const everyThird: FaultServer.FlakyOptions = { every: 3, fault: { kind: "respond", status: 500 } }
 * const firstTwo: FaultServer.FlakyOptions = { first: 2, fault: { kind: "reset" } }
 * const byPath: FaultServer.FlakyOptions = { when: (r) => r.path.startsWith("/slow"), fault: { kind: "silent" } }
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface FlakyOptions extends HttpServerOptions {
  /** Fault the n-th, 2n-th, 3n-th … request (a whole number ≥ 1; `every: 1` faults all). */
  readonly every?: number | undefined
  /** Fault the first n requests, then behave (a whole number ≥ 1): the shape of a retry test. */
  readonly first?: number | undefined
  /**
   * Fault the requests this predicate picks (it returns `true`). A predicate that throws costs that
   * request a 500 naming the problem; the server goes on.
   */
  readonly when?: ((request: RequestInfo) => boolean) | undefined
  /** What a picked request gets. */
  readonly fault: Reply
  /**
   * What every other request gets.
   * @default { kind: "respond" } (200 "ok")
   */
  readonly otherwise?: Reply | undefined
}

/**
 * Options of {@link blackhole}.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * // a log sink that takes the first 64 KiB of each connection, then stops reading
 * const options: FaultServer.BlackholeOptions = { afterBytes: 64 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface BlackholeOptions extends ListenOptions {
  /**
   * Read normally until this many bytes have arrived on a connection, then stop reading it for good
   * (a whole number ≥ 0). With 0 the server never reads at all. Reads come in chunks of up to 64 KiB and
   * one more may land as reading stops, so up to about 128 KiB more than `afterBytes` may be read.
   * @default 0
   */
  readonly afterBytes?: number | undefined
}

/**
 * Options of {@link reset}.
 *
 * @example
 * ```ts
 * import { FaultServer } from "@lifeline/fault"
 *
 * const options: FaultServer.ResetOptions = { afterBytes: 1024 }
 * ```
 *
 * @since 0.1.0
 * @category options
 */
export interface ResetOptions extends ListenOptions {
  /**
   * Send the RST once this many bytes have been received on a connection (a whole number ≥ 0; 0 resets
   * each connection as soon as it is accepted). The server reads in chunks, so a little more than
   * `afterBytes` may be counted as received.
   * @default 1 (on the first data)
   */
  readonly afterBytes?: number | undefined
}

/**
 * An HTTP server whose replies the test decides: one fixed `Reply`, or a function of the request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.http({
 *     reply: (request) => request.path === "/hang" ? { kind: "silent" } : { kind: "respond", body: request.body }
 *   })
 *   const response = yield* Effect.promise(() => fetch(`${server.url}/echo`, { method: "POST", body: "hi" }))
 *   console.log(yield* Effect.promise(() => response.text())) // "hi"
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const http: {
  (options?: HttpOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options?: HttpOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.http

/**
 * A well-behaved HTTP server, the baseline: every request gets `status` (200) and `body` (`"ok"`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.ok({ body: "pong" })
 *   const response = yield* Effect.promise(() => fetch(server.url))
 *   console.log(response.status) // 200
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const ok: {
  (options?: OkOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options?: OkOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.ok

/**
 * An HTTP server that reads each request in full and never answers, holding the connection open: the
 * half-open peer of `patrol-loop-stall`. The request is recorded, and so is the client giving up (its close).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.silent()
 *   yield* Effect.promise((signal) => fetch(server.url, { signal }).catch(() => undefined)).pipe(
 *     Effect.timeout("100 millis"),
 *     Effect.ignore
 *   )
 *   const closedAt = yield* FaultServer.awaitClose(server)
 *   console.log("client gave up at", closedAt)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const silent: {
  (options?: HttpServerOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options?: HttpServerOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.silent

/**
 * An HTTP server that answers every request after `delay`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.slow({ delay: "300 millis" })
 *   const response = yield* Effect.promise(() => fetch(server.url))
 *   console.log(response.status) // 200, after ~300 ms
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const slow: {
  (options: SlowOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options: SlowOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.slow

/**
 * An HTTP server that faults some requests by a rule (`every` n-th, the `first` n, or `when` a
 * predicate holds) and answers the others normally.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.flaky({ every: 2, fault: { kind: "respond", status: 500 } })
 *   const first = yield* Effect.promise(() => fetch(server.url))
 *   const second = yield* Effect.promise(() => fetch(server.url))
 *   console.log(first.status, second.status) // 200 500
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const flaky: {
  (options: FlakyOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options: FlakyOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.flaky

/**
 * A TCP server that resets each connection (TCP RST) once `afterBytes` bytes have arrived. The client
 * sees ECONNRESET (Node's HTTP client: "socket hang up").
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.reset()
 *   const outcome = yield* Effect.promise(() => fetch(server.url).then(() => "answered", (e) => String(e)))
 *   console.log(outcome) // TypeError: fetch failed (cause: ECONNRESET)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const reset: {
  (options?: ResetOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options?: ResetOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.reset

/**
 * A TCP server that accepts connections and never reads from them (or stops reading after
 * `afterBytes`): the stalled log sink of `runner-shutdown-hang` and `log-shipper-oom`. The kernel's buffers fill, then the
 * client's writes stop draining (`socket.write` returns `false`, `drain` never comes). An HTTP client
 * gets no answer either.
 *
 * Once it has stopped reading, a blackhole cannot see a client leave: the client's FIN is queued behind
 * bytes that are never read. Such connections show `closedBy: "server"` once the scope closes. To
 * measure how fast a client gives up, use {@link silent}, which reads.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const sink = yield* FaultServer.blackhole()
 *   // point a log shipper at sink.host:sink.port; it connects, writes, and stalls
 *   const connection = yield* FaultServer.awaitConnection(sink)
 *   console.log("accepted at", connection.openedAt)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const blackhole: {
  (options?: BlackholeOptions & EphemeralPort): Effect.Effect<FaultServer, InvalidOptions, Scope.Scope>
  (options?: BlackholeOptions): Effect.Effect<FaultServer, InvalidOptions | PortInUse, Scope.Scope>
} = internal.blackhole

/**
 * A loopback port with nothing listening: a free port is bound and released at once, so a connection
 * to it is refused (ECONNREFUSED). Nothing stays open, so it needs no scope. Another process may take
 * the port later; in a test that window is negligible.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const nobody = yield* FaultServer.refused()
 *   const outcome = yield* Effect.promise(() => fetch(nobody.url).then(() => "answered", () => "refused"))
 *   console.log(outcome) // "refused"
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const refused: (options?: { readonly host?: string | undefined }) => Effect.Effect<Endpoint, InvalidOptions> =
  internal.refused

/**
 * A snapshot of what the server observed: connections (opened, closed, by whom, when), bytes
 * received, requests received.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.ok()
 *   yield* Effect.promise(() => fetch(server.url, { method: "POST", body: "hello" }))
 *   const stats = yield* FaultServer.stats(server)
 *   console.log(stats.requests[0]?.bodyBytes) // 5
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const stats: (server: FaultServer) => Effect.Effect<Stats> = internal.stats

/**
 * Waits until `n` connections (default 1) have closed, by either side, and returns when the n-th
 * closed (epoch ms). Pair it with the time a deadline fired to measure how fast the socket was
 * really released.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.silent()
 *   const controller = new AbortController()
 *   fetch(server.url, { signal: controller.signal }).catch(() => undefined)
 *   yield* FaultServer.awaitRequest(server)
 *   const abortedAt = Date.now()
 *   controller.abort()
 *   const closedAt = yield* FaultServer.awaitClose(server)
 *   console.log("released after", closedAt - abortedAt, "ms")
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitClose: {
  (n?: number): (server: FaultServer) => Effect.Effect<number>
  (server: FaultServer, n?: number): Effect.Effect<number>
} = internal.awaitClose

/**
 * Waits until the server has accepted `n` connections (default 1) and returns the n-th.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.blackhole()
 *   // … start a client against server.port …
 *   const first = yield* FaultServer.awaitConnection(server)
 *   console.log(first.id) // 1
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitConnection: {
  (n?: number): (server: FaultServer) => Effect.Effect<ConnectionRecord>
  (server: FaultServer, n?: number): Effect.Effect<ConnectionRecord>
} = internal.awaitConnection

/**
 * Waits until the server has read `n` requests in full (default 1) and returns the n-th.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FaultServer } from "@lifeline/fault"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FaultServer.silent()
 *   fetch(`${server.url}/sweep`).catch(() => undefined)
 *   const request = yield* FaultServer.awaitRequest(server)
 *   console.log(request.path) // "/sweep"
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitRequest: {
  (n?: number): (server: FaultServer) => Effect.Effect<RequestRecord>
  (server: FaultServer, n?: number): Effect.Effect<RequestRecord>
} = internal.awaitRequest
