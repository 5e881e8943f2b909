/**
 * Answering HTTP requests: each request read in full is recorded, then answered as its plan says. Reply
 * functions and `flaky` rules are user code: one that throws, or returns a reply that fails its checks,
 * gets a 500 naming the problem; an answer the runtime refuses to write resets the connection. Either way
 * the client hears something at once and the request's record says what went wrong.
 *
 * @internal
 */
import type * as api from "../FaultServer.ts"
import * as Adapter from "./node.ts"
import type { Plan } from "./options.ts"
import type { Recorder } from "./recorder.ts"

/** What the server does with one request, and why it could not do what it was configured to. */
export interface Decision {
  readonly plan: Plan
  readonly error: string | undefined
}

/** Chooses the answer to a request. It may run user code and throw; {@link serveHttp} guards it. */
export type Decide = (request: api.RequestInfo) => Decision

/** A one-line description of whatever user code threw; never throws itself. */
export const describe = (thrown: unknown): string => {
  try {
    return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)
  } catch {
    try {
      return Object.prototype.toString.call(thrown)
    } catch {
      return "a value that cannot be printed"
    }
  }
}

/** The answer to a request whose reply could not be decided: a 500 whose body names the problem. */
export const failed = (error: string): Decision => ({
  plan: {
    kind: "respond",
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: error,
    delay: 0
  },
  error
})

const decideSafely = (decide: Decide, callback: string, request: api.RequestInfo): Decision => {
  try {
    return decide(request)
  } catch (thrown) {
    return failed(`${callback} threw ${describe(thrown)}`)
  }
}

export interface ServeHttpOptions {
  readonly host: string
  readonly port: number
  readonly recorder: Recorder
  readonly recordBodies: boolean
  readonly decide: Decide
  /** The option whose function `decide` calls, named when it throws (`"reply"`, `"when"`). */
  readonly callback: string
}

export const serveHttp = (options: ServeHttpOptions): Promise<Adapter.Listening> => {
  const { recorder } = options
  const connections = new WeakMap<Adapter.RawSocket, number>()
  return Adapter.listenHttp({
    host: options.host,
    port: options.port,
    onSocket: (socket) => {
      connections.set(socket, recorder.open(socket))
    },
    onRequest: (request) => {
      const info: api.RequestInfo = {
        index: recorder.requests.length,
        connection: connections.get(request.socket) ?? 0,
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body
      }
      const { error, plan } = decideSafely(options.decide, options.callback, info)
      const index = recorder.request({
        connection: info.connection,
        method: info.method,
        path: info.path,
        headers: info.headers,
        bodyBytes: info.body.byteLength,
        body: options.recordBodies ? info.body : undefined,
        receivedAt: Date.now(),
        reply: plan.kind === "respond" && plan.delay > 0 ? "slow" : plan.kind,
        error
      })
      switch (plan.kind) {
        case "silent":
          return
        case "reset":
          return request.socket.reset()
        case "respond": {
          const send = () => {
            const outcome = request.respond(plan.status, plan.headers, plan.body)
            if (!outcome.written) {
              recorder.amend(index, {
                reply: "reset",
                error: `the response could not be written (${describe(outcome.error)}); the connection was reset`
              })
            }
          }
          if (plan.delay > 0) recorder.later(plan.delay, send)
          else send()
          return
        }
      }
    }
  })
}
