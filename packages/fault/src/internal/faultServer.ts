/**
 * Fault servers: the server value, the listener that lives as long as its scope, the constructors (each
 * checks its options before it binds) and the waits on what a server recorded.
 *
 * @internal
 */
import { Options } from "@lifeline/deadline"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Pipeable from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import type * as api from "../FaultServer.ts"
import { type Decide, failed, serveHttp } from "./http.ts"
import * as Adapter from "./node.ts"
import * as Check from "./options.ts"
import { Recorder } from "./recorder.ts"

export const TypeId: unique symbol = Symbol.for("@lifeline/fault/FaultServer")

const authority = (host: string, port: number): string => `${host.includes(":") ? `[${host}]` : host}:${port}`

export class PortInUse extends Data.TaggedError("PortInUse")<api.PortInUseFields> implements api.PortInUse {
  override get message(): string {
    return `${authority(this.host, this.port)} is already in use (port 0 picks a free port)`
  }
}

// ---------------------------------------------------------------------------------------------
// the server value

class Server implements api.FaultServer {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly url: string
  constructor(
    readonly fault: api.FaultKind,
    readonly host: string,
    readonly port: number,
    readonly recorder: Recorder
  ) {
    this.url = `http://${authority(host, port)}`
  }
  readonly unsafeStats = (): api.Stats => this.recorder.snapshot()
  pipe() {
    return Pipeable.pipeArguments(this, arguments)
  }
}

export const isFaultServer = (u: unknown): u is api.FaultServer => Predicate.hasProperty(u, TypeId)

/** The recorder of a server this module made; any other value is a programming error. */
const recorderOf = (server: api.FaultServer): Effect.Effect<Recorder> =>
  server instanceof Server
    ? Effect.succeed(server.recorder)
    : Effect.dieMessage("FaultServer: not a server made by this package")

// ---------------------------------------------------------------------------------------------
// listening

/** A listen call that could not bind, as the error the caller can act on; anything unexpected is a defect. */
const listenError = (
  error: unknown,
  host: string,
  port: number
): Effect.Effect<never, api.InvalidOptions | api.PortInUse> => {
  const known = Adapter.listenFailure(error)
  switch (known?.failure) {
    case "in-use":
      return Effect.fail(new PortInUse({ host, port }))
    case "unavailable":
      return Effect.fail(Options.invalid("host", host, `must be an address of this machine (${known.code})`))
    case "forbidden":
      return Effect.fail(Options.invalid("port", port, `cannot be bound by this process (${known.code})`))
    default:
      return Effect.die(error)
  }
}

/**
 * Listens for the scope's lifetime. Closing the scope cancels pending delayed answers, destroys every
 * socket and closes the listener; when it returns, the records show every connection closed.
 */
export const serve = (
  fault: api.FaultKind,
  host: string,
  port: number,
  listen: (recorder: Recorder) => Promise<Adapter.Listening>
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const recorder = new Recorder()
      return Effect.tryPromise({ try: () => listen(recorder), catch: (error) => error }).pipe(
        Effect.catchAll((error) => listenError(error, host, port)),
        Effect.map((listening) => ({ recorder, listening }))
      )
    }),
    ({ listening, recorder }) =>
      Effect.promise(() => {
        recorder.shutdown()
        return listening.close()
      }).pipe(
        Effect.andThen(() => recorder.finish()),
        Effect.andThen(Effect.logDebug("fault server closed")),
        Effect.annotateLogs({ fault, port: listening.port })
      )
  ).pipe(
    Effect.map(({ listening, recorder }) => new Server(fault, host, listening.port, recorder)),
    Effect.tap((server) =>
      Effect.logDebug("fault server listening").pipe(Effect.annotateLogs({ fault, url: server.url }))
    )
  )

const httpServer = (
  fault: api.FaultKind,
  options: api.HttpServerOptions,
  decide: Decide,
  callback = "reply"
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> =>
  Effect.gen(function* () {
    const host = yield* Check.host("host", options.host)
    const port = yield* Check.port("port", options.port)
    const recordBodies = yield* Options.optional(Options.boolean, false)("recordBodies", options.recordBodies)
    return yield* serve(
      fault,
      host,
      port,
      (recorder) => serveHttp({ host, port, recorder, recordBodies, decide, callback })
    )
  })

// ---------------------------------------------------------------------------------------------
// HTTP constructors

const answer = (plan: Check.Plan): Decide => () => ({ plan, error: undefined })

export function http(
  options?: api.HttpOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function http(
  options?: api.HttpOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function http(
  options: api.HttpOptions = {}
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const reply = checked.reply ?? { kind: "respond" }
    if (typeof reply !== "function") {
      return yield* httpServer("http", checked, answer(yield* Check.reply("reply", reply)))
    }
    // What a reply function returns is checked like a fixed reply, per request.
    return yield* httpServer("http", checked, (request) =>
      Either.match(Check.reply("reply", reply(request)), {
        onLeft: (error) => failed(`reply returned an invalid Reply: ${error.message}`),
        onRight: (plan) => ({ plan, error: undefined })
      }))
  })
}

export function ok(
  options?: api.OkOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function ok(
  options?: api.OkOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function ok(
  options: api.OkOptions = {}
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const plan = yield* Check.reply(undefined, {
      kind: "respond",
      status: checked.status,
      body: checked.body,
      headers: checked.headers
    })
    return yield* httpServer("ok", checked, answer(plan))
  })
}

export function silent(
  options?: api.HttpServerOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function silent(
  options?: api.HttpServerOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function silent(
  options: api.HttpServerOptions = {}
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    return yield* httpServer("silent", checked, answer({ kind: "silent" }))
  })
}

export function slow(
  options: api.SlowOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function slow(
  options: api.SlowOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function slow(
  options: api.SlowOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const plan = yield* Check.reply(undefined, {
      kind: "slow",
      delay: checked.delay,
      status: checked.status,
      body: checked.body,
      headers: checked.headers
    })
    return yield* httpServer("slow", checked, answer(plan))
  })
}

/** The `flaky` rule: exactly one of `every`, `first`, `when`. */
const rule = (options: api.FlakyOptions): Either.Either<(request: api.RequestInfo) => boolean, api.InvalidOptions> => {
  const { every, first, when } = options
  if ([every, first, when].filter((r) => r !== undefined).length !== 1) {
    return Either.left(Options.invalid("every|first|when", { every, first, when }, "give exactly one rule"))
  }
  if (every !== undefined) {
    return Either.map(Options.positiveInteger("every", every), (n) => (r) => (r.index + 1) % n === 0)
  }
  if (first !== undefined) return Either.map(Options.positiveInteger("first", first), (n) => (r) => r.index < n)
  return Either.map(Options.callable("when", when), () => (r) => when !== undefined && when(r) === true)
}

export function flaky(
  options: api.FlakyOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function flaky(
  options: api.FlakyOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function flaky(
  options: api.FlakyOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const picks = yield* rule(checked)
    const fault = yield* Check.reply("fault", checked.fault)
    const otherwise = yield* Check.reply("otherwise", checked.otherwise ?? { kind: "respond" })
    return yield* httpServer("flaky", checked, (request) => ({
      plan: picks(request) ? fault : otherwise,
      error: undefined
    }), "when")
  })
}

// ---------------------------------------------------------------------------------------------
// TCP constructors

/** Runs `action` once, when the socket has received `threshold` bytes in all. */
const onceReceived = (socket: Adapter.RawSocket, threshold: number, action: () => void): void => {
  let received = 0
  let done = false
  socket.onData((bytes) => {
    received += bytes
    if (!done && received >= threshold) {
      done = true
      action()
    }
  })
}

export function blackhole(
  options?: api.BlackholeOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function blackhole(
  options?: api.BlackholeOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function blackhole(
  options: api.BlackholeOptions = {}
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const host = yield* Check.host("host", checked.host)
    const port = yield* Check.port("port", checked.port)
    const afterBytes = yield* Options.optional(Options.nonNegativeInteger, 0)("afterBytes", checked.afterBytes)
    return yield* serve("blackhole", host, port, (recorder) =>
      Adapter.listenTcp({
        host,
        port,
        read: afterBytes > 0,
        onSocket: (socket) => {
          recorder.open(socket)
          if (afterBytes > 0) onceReceived(socket, afterBytes, socket.pause)
        }
      }))
  })
}

export function reset(
  options?: api.ResetOptions & api.EphemeralPort
): Effect.Effect<api.FaultServer, api.InvalidOptions, Scope.Scope>
export function reset(
  options?: api.ResetOptions
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope>
export function reset(
  options: api.ResetOptions = {}
): Effect.Effect<api.FaultServer, api.InvalidOptions | api.PortInUse, Scope.Scope> {
  return Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const host = yield* Check.host("host", checked.host)
    const port = yield* Check.port("port", checked.port)
    const afterBytes = yield* Options.optional(Options.nonNegativeInteger, 1)("afterBytes", checked.afterBytes)
    return yield* serve("reset", host, port, (recorder) =>
      Adapter.listenTcp({
        host,
        port,
        read: true,
        onSocket: (socket) => {
          recorder.open(socket)
          if (afterBytes === 0) socket.reset()
          else onceReceived(socket, afterBytes, socket.reset)
        }
      }))
  })
}

export const refused = (
  options: { readonly host?: string | undefined } = {}
): Effect.Effect<api.Endpoint, api.InvalidOptions> =>
  Effect.gen(function* () {
    const checked = yield* Check.object("options", options)
    const host = yield* Check.host("host", checked.host)
    const port = yield* Effect.tryPromise({ try: () => Adapter.freePort(host), catch: (error) => error }).pipe(
      Effect.catchAll((error) => listenError(error, host, 0)),
      // Port 0 is never in use: the system picks a free one.
      Effect.catchTag("PortInUse", Effect.die)
    )
    return { host, port, url: `http://${authority(host, port)}` }
  })

// ---------------------------------------------------------------------------------------------
// observing

export const stats = (server: api.FaultServer): Effect.Effect<api.Stats> =>
  Effect.map(recorderOf(server), (recorder) => recorder.snapshot())

/** Waits until `check` sees what it waits for, re-checking after every change the recorder reports. */
const waitFor = <A>(
  server: api.FaultServer,
  n: number,
  check: (recorder: Recorder, n: number) => A | undefined
): Effect.Effect<A> =>
  Effect.gen(function* () {
    const nth = yield* Effect.orDie(Options.positiveInteger("n", n))
    const recorder = yield* recorderOf(server)
    const now = check(recorder, nth)
    if (now !== undefined) return now
    return yield* Effect.async<A>((resume) => {
      const listener = () => {
        const value = check(recorder, nth)
        if (value === undefined) return
        recorder.listeners.delete(listener)
        resume(Effect.succeed(value))
      }
      recorder.listeners.add(listener)
      return Effect.sync(() => {
        recorder.listeners.delete(listener)
      })
    })
  })

const isDataFirst = (args: IArguments): boolean => isFaultServer(args[0])

export const awaitClose: {
  (n?: number): (server: api.FaultServer) => Effect.Effect<number>
  (server: api.FaultServer, n?: number): Effect.Effect<number>
} = dual(
  isDataFirst,
  (server: api.FaultServer, n: number = 1): Effect.Effect<number> =>
    waitFor(server, n, (recorder, nth) => recorder.closes[nth - 1])
)

export const awaitConnection: {
  (n?: number): (server: api.FaultServer) => Effect.Effect<api.ConnectionRecord>
  (server: api.FaultServer, n?: number): Effect.Effect<api.ConnectionRecord>
} = dual(
  isDataFirst,
  (server: api.FaultServer, n: number = 1): Effect.Effect<api.ConnectionRecord> =>
    waitFor(
      server,
      n,
      (recorder, nth) => recorder.connections.length >= nth ? recorder.snapshot().connections[nth - 1] : undefined
    )
)

export const awaitRequest: {
  (n?: number): (server: api.FaultServer) => Effect.Effect<api.RequestRecord>
  (server: api.FaultServer, n?: number): Effect.Effect<api.RequestRecord>
} = dual(
  isDataFirst,
  (server: api.FaultServer, n: number = 1): Effect.Effect<api.RequestRecord> =>
    waitFor(server, n, (recorder, nth) => recorder.requests[nth - 1])
)
