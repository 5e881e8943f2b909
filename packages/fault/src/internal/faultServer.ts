import { Duration, Effect, Option, Pipeable, Predicate } from "effect"
import type * as Scope from "effect/Scope"
import type * as FaultServer from "../FaultServer.ts"
import { InvalidOptions } from "./errors.ts"
import * as Adapter from "./node.ts"

/** @internal */
export const TypeId: unique symbol = Symbol.for("@lifeline/fault/FaultServer")

const DEFAULT_HOST = "127.0.0.1"

// ---------------------------------------------------------------------------------------------
// validation

const fail = (option: string, value: unknown, reason: string): Effect.Effect<never, InvalidOptions> =>
  Effect.fail(new InvalidOptions({ option, value, reason }))

const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n)

const checkHost = (host: unknown): Effect.Effect<string, InvalidOptions> =>
  host === undefined
    ? Effect.succeed(DEFAULT_HOST)
    : typeof host === "string" && host.length > 0
    ? Effect.succeed(host)
    : fail("host", host, "must be a non-empty host name or address")

const checkPort = (port: unknown): Effect.Effect<number, InvalidOptions> =>
  port === undefined
    ? Effect.succeed(0)
    : isInt(port) && port >= 0 && port <= 65535
    ? Effect.succeed(port)
    : fail("port", port, "must be an integer from 0 (any free port) to 65535")

const checkCount = (option: string, value: unknown, min: number): Effect.Effect<number, InvalidOptions> =>
  isInt(value) && value >= min ? Effect.succeed(value) : fail(option, value, `must be an integer >= ${min}`)

// `Duration.decode` clamps negative and NaN numbers to zero, which would turn a mistake into "no delay".
const isNegativeOrNaN = (value: unknown): boolean => {
  if (typeof value === "number") return !(value >= 0)
  if (typeof value === "bigint") return value < BigInt(0)
  if (typeof value === "string") return /^\s*-/.test(value) || /\bnan\b/i.test(value)
  if (Array.isArray(value)) return value.some((part) => !(part >= 0))
  return false
}

const checkDelay = (option: string, value: unknown): Effect.Effect<Duration.Duration, InvalidOptions> => {
  if (isNegativeOrNaN(value)) return fail(option, value, "must be a Duration that is not negative")
  const decoded = Duration.decodeUnknown(value)
  if (Option.isNone(decoded)) return fail(option, value, "must be a Duration")
  if (!Duration.isFinite(decoded.value)) return fail(option, value, "must be finite")
  return Effect.succeed(decoded.value)
}

const checkStatus = (option: string, value: unknown): Effect.Effect<number, InvalidOptions> =>
  value === undefined
    ? Effect.succeed(200)
    : isInt(value) && value >= 200 && value <= 599
    ? Effect.succeed(value)
    : fail(option, value, "must be an integer HTTP status from 200 to 599")

/** A reply with its options checked and its delay decoded. */
type Plan =
  | {
    readonly kind: "respond"
    readonly status: number
    readonly headers: Record<string, string>
    readonly body: string | Uint8Array
    readonly delay: number
  }
  | { readonly kind: "silent" }
  | { readonly kind: "reset" }

const checkReply = (option: string, reply: FaultServer.Reply): Effect.Effect<Plan, InvalidOptions> => {
  if (!Predicate.isRecord(reply)) return fail(option, reply, "must be a Reply")
  switch (reply.kind) {
    case "silent":
    case "reset":
      return Effect.succeed({ kind: reply.kind })
    case "respond":
    case "slow":
      return Effect.gen(function* () {
        const status = yield* checkStatus(`${option}.status`, reply.status)
        const delay = reply.kind === "slow" ? Duration.toMillis(yield* checkDelay(`${option}.delay`, reply.delay)) : 0
        return {
          kind: "respond" as const,
          status,
          headers: { ...reply.headers },
          body: reply.body ?? (status < 300 ? "ok" : `status ${status}`),
          delay
        }
      })
    default:
      return fail(`${option}.kind`, (reply as { kind: unknown }).kind, "must be respond, slow, silent or reset")
  }
}

// ---------------------------------------------------------------------------------------------
// recording

interface MutableConnection {
  id: number
  openedAt: number
  closedAt: number | undefined
  closedBy: "client" | "server" | undefined
  bytesReceived: number
  socket: Adapter.RawSocket
  serverClosing: boolean
}

class Recorder {
  readonly connections: Array<MutableConnection> = []
  readonly closes: Array<number> = []
  readonly requests: Array<FaultServer.RequestRecord> = []
  readonly listeners = new Set<() => void>()
  readonly timers = new Set<ReturnType<typeof setTimeout>>()
  closed = false

  notify(): void {
    for (const listener of Array.from(this.listeners)) listener()
  }

  open(socket: Adapter.RawSocket): MutableConnection {
    const connection: MutableConnection = {
      id: this.connections.length + 1,
      openedAt: Date.now(),
      closedAt: undefined,
      closedBy: undefined,
      bytesReceived: 0,
      socket,
      serverClosing: false
    }
    this.connections.push(connection)
    socket.onClose(() => {
      connection.closedAt = Date.now()
      connection.closedBy = connection.serverClosing || this.closed ? "server" : "client"
      connection.bytesReceived = socket.bytesRead()
      this.closes.push(connection.closedAt)
      this.notify()
    })
    this.notify()
    return connection
  }

  snapshot(): FaultServer.Stats {
    const connections = this.connections.map((c): FaultServer.ConnectionRecord => ({
      id: c.id,
      openedAt: c.openedAt,
      closedAt: c.closedAt,
      closedBy: c.closedBy,
      bytesReceived: c.closedAt === undefined ? c.socket.bytesRead() : c.bytesReceived
    }))
    const open = connections.filter((c) => c.closedAt === undefined).length
    return {
      opened: connections.length,
      open,
      closed: connections.length - open,
      bytesReceived: connections.reduce((n, c) => n + c.bytesReceived, 0),
      connections,
      requests: this.requests.slice()
    }
  }

  later(ms: number, f: () => void): void {
    if (this.closed) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (!this.closed) f()
    }, ms)
    this.timers.add(timer)
  }

  shutdown(): void {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}

// ---------------------------------------------------------------------------------------------
// the server value

interface Internal extends FaultServer.FaultServer {
  readonly recorder: Recorder
}

const recorderOf = (server: FaultServer.FaultServer): Recorder => (server as Internal).recorder

const makeServer = (
  fault: FaultServer.FaultKind,
  host: string,
  port: number,
  recorder: Recorder
): FaultServer.FaultServer => {
  const urlHost = host.includes(":") ? `[${host}]` : host
  const server: Internal = {
    [TypeId]: TypeId,
    fault,
    host,
    port,
    url: `http://${urlHost}:${port}`,
    recorder,
    unsafeStats: () => recorder.snapshot(),
    pipe() {
      return Pipeable.pipeArguments(this, arguments)
    }
  }
  return server
}

/** @internal */
export const isFaultServer = (u: unknown): u is FaultServer.FaultServer => Predicate.hasProperty(u, TypeId)

const serve = (
  fault: FaultServer.FaultKind,
  host: string,
  listen: (recorder: Recorder) => Promise<Adapter.Listening>
): Effect.Effect<FaultServer.FaultServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => {
      const recorder = new Recorder()
      return listen(recorder).then((listening) => ({ recorder, listening }))
    }),
    ({ listening, recorder }) =>
      Effect.promise(() => {
        recorder.shutdown()
        return listening.close()
      }).pipe(
        Effect.tap(() =>
          Effect.logDebug("fault server closed").pipe(
            Effect.annotateLogs({ fault, port: listening.port })
          )
        )
      )
  ).pipe(
    Effect.map(({ listening, recorder }) => makeServer(fault, host, listening.port, recorder)),
    Effect.tap((server) =>
      Effect.logDebug("fault server listening").pipe(Effect.annotateLogs({ fault, url: server.url }))
    )
  )

const serveHttp = (
  fault: FaultServer.FaultKind,
  options: FaultServer.HttpServerOptions,
  decide: (request: FaultServer.RequestInfo) => Effect.Effect<Plan, InvalidOptions>
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const host = yield* checkHost(options.host)
    const port = yield* checkPort(options.port)
    const recordBodies = options.recordBodies === true
    return yield* serve(fault, host, (recorder) => {
      const bySocket = new WeakMap<Adapter.RawSocket, MutableConnection>()
      return Adapter.listenHttp({
        host,
        port,
        onSocket: (socket) => {
          bySocket.set(socket, recorder.open(socket))
        },
        onRequest: (request) => {
          const connection = bySocket.get(request.socket)
          const info: FaultServer.RequestInfo = {
            index: recorder.requests.length,
            connection: connection?.id ?? 0,
            method: request.method,
            path: request.path,
            headers: request.headers,
            body: request.body
          }
          const plan = Effect.runSync(
            decide(info).pipe(
              Effect.catchAll((error) =>
                Effect.succeed<Plan>({
                  kind: "respond",
                  status: 500,
                  headers: {},
                  body: error.message,
                  delay: 0
                })
              ),
              Effect.catchAllDefect((defect) =>
                Effect.succeed<Plan>({
                  kind: "respond",
                  status: 500,
                  headers: {},
                  body: `the reply function or flaky rule threw: ${String(defect)}`,
                  delay: 0
                })
              )
            )
          )
          recorder.requests.push({
            index: info.index,
            connection: info.connection,
            method: info.method,
            path: info.path,
            headers: info.headers,
            bodyBytes: info.body.byteLength,
            body: recordBodies ? info.body : undefined,
            receivedAt: Date.now(),
            reply: plan.kind === "respond" && plan.delay > 0 ? "slow" : plan.kind
          })
          recorder.notify()
          switch (plan.kind) {
            case "silent":
              return
            case "reset": {
              if (connection !== undefined) connection.serverClosing = true
              request.socket.reset()
              return
            }
            case "respond": {
              const send = () => request.respond(plan.status, plan.headers, plan.body)
              if (plan.delay > 0) recorder.later(plan.delay, send)
              else send()
              return
            }
          }
        }
      })
    })
  })

// ---------------------------------------------------------------------------------------------
// constructors

/** @internal */
export const http = (
  options: FaultServer.HttpOptions = {}
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const reply = options.reply ?? { kind: "respond" }
    if (typeof reply === "function") {
      return yield* serveHttp("http", options, (request) => Effect.suspend(() => checkReply("reply", reply(request))))
    }
    const plan = yield* checkReply("reply", reply)
    return yield* serveHttp("http", options, () => Effect.succeed(plan))
  })

/** @internal */
export const ok = (
  options: FaultServer.OkOptions = {}
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const plan = yield* checkReply("ok", {
      kind: "respond",
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headers === undefined ? {} : { headers: options.headers })
    })
    return yield* serveHttp("ok", options, () => Effect.succeed(plan))
  })

/** @internal */
export const silent = (
  options: FaultServer.HttpServerOptions = {}
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  serveHttp("silent", options, () => Effect.succeed<Plan>({ kind: "silent" }))

/** @internal */
export const slow = (
  options: FaultServer.SlowOptions
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const plan = yield* checkReply("slow", {
      kind: "slow",
      delay: options.delay,
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headers === undefined ? {} : { headers: options.headers })
    })
    return yield* serveHttp("slow", options, () => Effect.succeed(plan))
  })

/** @internal */
export const flaky = (
  options: FaultServer.FlakyOptions
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const rules = [options.every, options.first, options.when].filter((r) => r !== undefined).length
    if (rules !== 1) {
      return yield* fail(
        "every|first|when",
        { every: options.every, first: options.first, when: options.when },
        "give exactly one rule"
      )
    }
    let matches: (request: FaultServer.RequestInfo) => boolean
    if (options.every !== undefined) {
      const every = yield* checkCount("every", options.every, 1)
      matches = (request) => (request.index + 1) % every === 0
    } else if (options.first !== undefined) {
      const first = yield* checkCount("first", options.first, 1)
      matches = (request) => request.index < first
    } else {
      const when = options.when
      if (typeof when !== "function") return yield* fail("when", when, "must be a function")
      matches = when
    }
    const fault = yield* checkReply("fault", options.fault)
    const otherwise = yield* checkReply("otherwise", options.otherwise ?? { kind: "respond" })
    return yield* serveHttp("flaky", options, (request) => Effect.sync(() => matches(request) ? fault : otherwise))
  })

/** @internal */
export const blackhole = (
  options: FaultServer.BlackholeOptions = {}
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const host = yield* checkHost(options.host)
    const port = yield* checkPort(options.port)
    const afterBytes = options.afterBytes === undefined ? 0 : yield* checkCount("afterBytes", options.afterBytes, 0)
    return yield* serve("blackhole", host, (recorder) =>
      Adapter.listenTcp({
        host,
        port,
        read: afterBytes > 0,
        onSocket: (socket) => {
          recorder.open(socket)
          if (afterBytes === 0) return
          let received = 0
          let reading = true
          socket.onData((bytes) => {
            received += bytes
            if (reading && received >= afterBytes) {
              reading = false
              socket.pause()
            }
          })
        }
      }))
  })

/** @internal */
export const reset = (
  options: FaultServer.ResetOptions = {}
): Effect.Effect<FaultServer.FaultServer, InvalidOptions, Scope.Scope> =>
  Effect.gen(function* () {
    const host = yield* checkHost(options.host)
    const port = yield* checkPort(options.port)
    const afterBytes = options.afterBytes === undefined ? 1 : yield* checkCount("afterBytes", options.afterBytes, 0)
    return yield* serve("reset", host, (recorder) =>
      Adapter.listenTcp({
        host,
        port,
        read: true,
        onSocket: (socket) => {
          const connection = recorder.open(socket)
          let received = 0
          const cut = () => {
            connection.serverClosing = true
            socket.reset()
          }
          if (afterBytes === 0) return cut()
          socket.onData((bytes) => {
            received += bytes
            if (received >= afterBytes && !connection.serverClosing) cut()
          })
        }
      }))
  })

/** @internal */
export const refused = (
  options: { readonly host?: string | undefined } = {}
): Effect.Effect<FaultServer.Endpoint, InvalidOptions> =>
  Effect.gen(function* () {
    const host = yield* checkHost(options.host)
    const port = yield* Effect.promise(() => Adapter.freePort(host))
    const urlHost = host.includes(":") ? `[${host}]` : host
    return { host, port, url: `http://${urlHost}:${port}` }
  })

// ---------------------------------------------------------------------------------------------
// observing

/** @internal */
export const stats = (server: FaultServer.FaultServer): Effect.Effect<FaultServer.Stats> =>
  Effect.sync(() => recorderOf(server).snapshot())

const waitFor = <A>(recorder: Recorder, check: () => A | undefined): Effect.Effect<A> =>
  Effect.suspend(() => {
    const now = check()
    if (now !== undefined) return Effect.succeed(now)
    return Effect.async<A>((resume) => {
      const listener = () => {
        const value = check()
        if (value !== undefined) {
          recorder.listeners.delete(listener)
          resume(Effect.succeed(value))
        }
      }
      recorder.listeners.add(listener)
      return Effect.sync(() => {
        recorder.listeners.delete(listener)
      })
    })
  })

const checkNth = (n: number): Effect.Effect<number> =>
  isInt(n) && n >= 1
    ? Effect.succeed(n)
    : Effect.die(new InvalidOptions({ option: "n", value: n, reason: "must be an integer >= 1" }))

/** @internal */
export const awaitClose = (server: FaultServer.FaultServer, n: number = 1): Effect.Effect<number> =>
  Effect.flatMap(checkNth(n), (n) => {
    const recorder = recorderOf(server)
    return waitFor(recorder, () => recorder.closes[n - 1])
  })

/** @internal */
export const awaitConnection = (
  server: FaultServer.FaultServer,
  n: number = 1
): Effect.Effect<FaultServer.ConnectionRecord> =>
  Effect.flatMap(checkNth(n), (n) => {
    const recorder = recorderOf(server)
    return waitFor(
      recorder,
      () => recorder.connections.length >= n ? recorder.snapshot().connections[n - 1] : undefined
    )
  })

/** @internal */
export const awaitRequest = (
  server: FaultServer.FaultServer,
  n: number = 1
): Effect.Effect<FaultServer.RequestRecord> =>
  Effect.flatMap(checkNth(n), (n) => {
    const recorder = recorderOf(server)
    return waitFor(recorder, () => recorder.requests[n - 1])
  })
