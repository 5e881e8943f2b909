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
  /** Releases the socket (FIN if possible). */
  readonly destroy: () => void
  /** Called with the size of each chunk the server reads (TCP servers only). */
  readonly onData: (f: (bytes: number) => void) => void
  /** Called once when the socket is closed, whichever side closed it. */
  readonly onClose: (f: () => void) => void
}

/** An HTTP request whose body has been read in full. */
export interface RawRequest {
  readonly socket: RawSocket
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  readonly respond: (
    status: number,
    headers: Readonly<Record<string, string>>,
    body: string | Uint8Array
  ) => void
}

/** A listening server. `close` stops listening and destroys every socket it accepted. */
export interface Listening {
  readonly port: number
  readonly close: () => Promise<void>
}

export interface ListenOptions {
  readonly host: string
  readonly port: number
  readonly onSocket: (socket: RawSocket) => void
}

const wrapSocket = (socket: Net.Socket): RawSocket => ({
  bytesRead: () => socket.bytesRead,
  reset: () => {
    if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
    else socket.destroy()
  },
  pause: () => {
    socket.pause()
  },
  destroy: () => {
    socket.destroy()
  },
  onData: (f) => {
    socket.on("data", (chunk: Uint8Array) => f(chunk.byteLength))
  },
  onClose: (f) => {
    socket.once("close", () => f())
  }
})

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

const closeServer = (server: Net.Server, sockets: Set<Net.Socket>): Promise<void> =>
  new Promise<void>((resolve) => {
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(fallback)
      resolve()
    }
    // `close` waits for every connection to end; they are destroyed below, but a runtime that never
    // reports it must not hold a scope open forever.
    const fallback = setTimeout(finish, 2_000)
    server.close(() => finish())
    for (const socket of sockets) socket.destroy()
    sockets.clear()
  })

const track = (sockets: Set<Net.Socket>, socket: Net.Socket): void => {
  sockets.add(socket)
  // A client that resets its side raises an error on ours; it is recorded as a close, not thrown.
  socket.on("error", () => {})
  socket.once("close", () => sockets.delete(socket))
}

/**
 * A TCP server. With `read: false` it never reads (pause on connect): the kernel's receive buffer fills
 * and the client's writes stall.
 */
export const listenTcp = async (options: ListenOptions & { readonly read: boolean }): Promise<Listening> => {
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer({ pauseOnConnect: !options.read }, (socket) => {
    track(sockets, socket)
    options.onSocket(wrapSocket(socket))
  })
  const port = await listenOn(server, options.host, options.port)
  return { port, close: () => closeServer(server, sockets) }
}

/** An HTTP/1.1 server that hands each fully read request to `onRequest`. */
export const listenHttp = async (
  options: ListenOptions & { readonly onRequest: (request: RawRequest) => void }
): Promise<Listening> => {
  const sockets = new Set<Net.Socket>()
  const wrapped = new WeakMap<Net.Socket, RawSocket>()
  const server = Http.createServer((req, res) => {
    const chunks: Array<Uint8Array> = []
    req.on("data", (chunk: Uint8Array) => chunks.push(chunk))
    req.on("error", () => {})
    res.on("error", () => {})
    req.on("end", () => {
      const socket = wrapped.get(req.socket) ?? wrapSocket(req.socket)
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
      }
      const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
      let offset = 0
      for (const chunk of chunks) {
        body.set(chunk, offset)
        offset += chunk.byteLength
      }
      options.onRequest({
        socket,
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers,
        body,
        respond: (status, headers, payload) => {
          if (res.destroyed || res.writableEnded) return
          res.writeHead(status, headers)
          res.end(payload)
        }
      })
    })
  })
  // A silent server must stay silent: Node answers 408 after `requestTimeout` (300 s) by default.
  server.requestTimeout = 0
  server.headersTimeout = 0
  server.timeout = 0
  server.on("connection", (socket: Net.Socket) => {
    track(sockets, socket)
    const raw = wrapSocket(socket)
    wrapped.set(socket, raw)
    options.onSocket(raw)
  })
  server.on("clientError", (_error: Error, socket: Net.Socket) => {
    socket.destroy()
  })
  const port = await listenOn(server, options.host, options.port)
  return {
    port,
    close: () => {
      server.closeAllConnections()
      return closeServer(server, sockets)
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
