/**
 * Runtime adapter: the only module of this package that touches `node:*`.
 *
 * Fault servers need byte-level control that no portable web API offers: accept a TCP connection and
 * never read from it, send a TCP RST, read an HTTP request and never answer. `node:net` and `node:http`
 * give that on Node, and Deno implements both modules faithfully enough (pause-on-connect,
 * `resetAndDestroy`, `bytesRead`; the package's suite runs on both), so one adapter serves every runtime.
 * The rest of the package sees only the small callback interfaces below, so another adapter (e.g. one on
 * `Deno.listen`) could replace this one.
 *
 * Nothing a callback does may escape into the runtime's event loop: an exception there is an uncaught
 * exception in the test process and leaves the client waiting for an answer that never comes. Every
 * callback is guarded, and a failure closes the socket with a reset, so the client sees it at once.
 *
 * @internal
 */
import * as Http from "node:http"
import * as Net from "node:net"

/** A server-side socket, as the fault logic sees it. */
export interface RawSocket {
  /** Bytes the server has read from this socket so far. */
  readonly bytesRead: () => number
  /** Sends a TCP RST and releases the socket. */
  readonly reset: () => void
  /** Stops reading from the socket for good: unread bytes stay in the kernel and the peer stalls. */
  readonly pause: () => void
  /** Called with the size of each chunk the server reads (TCP servers only). */
  readonly onData: (f: (bytes: number) => void) => void
  /** Called once when the socket is closed; `byServer` is true when this side reset or destroyed it. */
  readonly onClose: (f: (byServer: boolean) => void) => void
}

/** The outcome of writing a response: written, or refused by the runtime (and the socket reset). */
export type Written = { readonly written: true } | { readonly written: false; readonly error: unknown }

/** An HTTP request whose body has been read in full. */
export interface RawRequest {
  readonly socket: RawSocket
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  /** Writes the whole response; if the runtime refuses it, resets the connection instead. */
  readonly respond: (
    status: number,
    headers: Readonly<Record<string, string>>,
    body: string | Uint8Array
  ) => Written
}

/**
 * A listening server. `close` stops listening, destroys every socket it accepted, and resolves once the
 * runtime has reported each of them closed (or after a bounded wait, for a runtime that never reports).
 */
export interface Listening {
  readonly port: number
  readonly close: () => Promise<void>
}

/** Where to listen, and who is told of each accepted socket. */
export interface Bind {
  readonly host: string
  readonly port: number
  readonly onSocket: (socket: RawSocket) => void
}

/**
 * Why a listener could not be had: the address is taken, the host is not an address of this machine (or
 * does not resolve), or the process may not bind that port.
 */
export type ListenFailure = "in-use" | "unavailable" | "forbidden"

const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

/** Classifies an error of a listen call; `undefined` for anything unexpected. */
export const listenFailure = (
  error: unknown
): { readonly failure: ListenFailure; readonly code: string } | undefined => {
  const code = errorCode(error)
  switch (code) {
    case "EADDRINUSE":
      return { failure: "in-use", code }
    // Deno reports a bind to an address this machine does not have as EINVAL, Node as EADDRNOTAVAIL.
    case "EADDRNOTAVAIL":
    case "EINVAL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
    case "EAFNOSUPPORT":
      return { failure: "unavailable", code }
    case "EACCES":
    case "EPERM":
      return { failure: "forbidden", code }
    default:
      return undefined
  }
}

const wrapSocket = (socket: Net.Socket): RawSocket => {
  let byServer = false
  return {
    bytesRead: () => socket.bytesRead,
    reset: () => {
      byServer = true
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
      else socket.destroy()
    },
    pause: () => {
      socket.pause()
    },
    onData: (f) => {
      socket.on("data", (chunk: Uint8Array) => f(chunk.byteLength))
    },
    onClose: (f) => {
      socket.once("close", () => f(byServer))
    }
  }
}

/** Runs a callback of the fault logic; if it throws, the connection is reset rather than the process crashed. */
const guarded = (socket: RawSocket, f: () => void): void => {
  try {
    f()
  } catch {
    socket.reset()
  }
}

const listenOn = (server: Net.Server, host: string, port: number): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", onError)
      const address = server.address()
      if (address !== null && typeof address === "object") resolve(address.port)
      else reject(new Error(`unexpected listen address: ${String(address)}`))
    })
  })

/** The sockets a server accepted, each with the promise of its close. */
class Sockets {
  readonly open = new Map<Net.Socket, Promise<void>>()
  closing = false

  /** Tracks a new socket; false (and the socket destroyed) once the server is closing. */
  add(socket: Net.Socket): boolean {
    // A client that resets its side raises an error on ours; it is recorded as a close, not thrown.
    socket.on("error", () => {})
    if (this.closing) {
      socket.destroy()
      return false
    }
    this.open.set(
      socket,
      new Promise<void>((resolve) =>
        socket.once("close", () => {
          this.open.delete(socket)
          resolve()
        })
      )
    )
    return true
  }

  close(server: Net.Server): Promise<void> {
    this.closing = true
    const closes = Array.from(this.open.values())
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of this.open.keys()) socket.destroy()
    let fallback: ReturnType<typeof setTimeout> | undefined
    // Destroyed sockets report their close within an event-loop turn; a runtime that never does must not
    // hold a scope open forever.
    const bounded = new Promise<void>((resolve) => {
      fallback = setTimeout(resolve, 2_000)
    })
    return Promise.race([Promise.all([stopped, ...closes]).then(() => undefined), bounded]).finally(() =>
      clearTimeout(fallback)
    )
  }
}

/**
 * A TCP server. With `read: false` it never reads (pause on connect): the kernel's receive buffer fills
 * and the client's writes stall.
 */
export const listenTcp = async (options: Bind & { readonly read: boolean }): Promise<Listening> => {
  const sockets = new Sockets()
  const server = Net.createServer({ pauseOnConnect: !options.read }, (socket) => {
    if (!sockets.add(socket)) return
    const raw = wrapSocket(socket)
    guarded(raw, () => options.onSocket(raw))
  })
  const port = await listenOn(server, options.host, options.port)
  return { port, close: () => sockets.close(server) }
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/** An HTTP/1.1 server that hands each fully read request to `onRequest`. */
export const listenHttp = async (
  options: Bind & { readonly onRequest: (request: RawRequest) => void }
): Promise<Listening> => {
  const sockets = new Sockets()
  const wrapped = new WeakMap<Net.Socket, RawSocket>()
  const server = Http.createServer((req, res) => {
    const socket = wrapped.get(req.socket) ?? wrapSocket(req.socket)
    const chunks: Array<Uint8Array> = []
    req.on("data", (chunk: Uint8Array) => chunks.push(chunk))
    req.on("error", () => {})
    res.on("error", () => {})
    const respond = (status: number, headers: Readonly<Record<string, string>>, body: string | Uint8Array): Written => {
      if (res.destroyed || res.writableEnded) return { written: true }
      try {
        res.writeHead(status, headers)
        res.end(body)
        return { written: true }
      } catch (error) {
        socket.reset()
        return { written: false, error }
      }
    }
    req.on("end", () => {
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
      }
      guarded(socket, () =>
        options.onRequest({
          socket,
          method: req.method ?? "GET",
          path: req.url ?? "/",
          headers,
          body: concat(chunks),
          respond
        }))
    })
  })
  // A silent server must stay silent: Node answers 408 after `requestTimeout` (300 s) by default.
  server.requestTimeout = 0
  server.headersTimeout = 0
  server.timeout = 0
  server.on("connection", (socket: Net.Socket) => {
    if (!sockets.add(socket)) return
    const raw = wrapSocket(socket)
    wrapped.set(socket, raw)
    guarded(raw, () => options.onSocket(raw))
  })
  server.on("clientError", (_error: Error, socket: Net.Socket) => {
    const raw = wrapped.get(socket)
    if (raw === undefined) socket.destroy()
    else raw.reset()
  })
  const port = await listenOn(server, options.host, options.port)
  return {
    port,
    close: () => {
      server.closeAllConnections()
      return sockets.close(server)
    }
  }
}

/** A loopback port with nothing listening: bind an ephemeral port, then close it. */
export const freePort = async (host: string): Promise<number> => {
  const server = Net.createServer()
  const port = await listenOn(server, host, 0)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
