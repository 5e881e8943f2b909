/**
 * The test's side of the socket: raw TCP clients and fetch helpers that report what a client saw.
 */
import { Effect } from "effect"
import * as Net from "node:net"

export const connect = (port: number, host = "127.0.0.1"): Promise<Net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host })
    socket.once("connect", () => {
      socket.off("error", reject)
      resolve(socket)
    })
    socket.once("error", reject)
  })

/**
 * Resolves with the error code the socket ends with, or "closed" for a clean close. It reads (and
 * drops) what arrives: a socket that is not read never sees the peer's FIN.
 */
export const outcomeOf = (socket: Net.Socket): Promise<string> =>
  new Promise((resolve) => {
    socket.resume()
    let code = "closed"
    socket.on("error", (error: NodeJS.ErrnoException) => {
      code = error.code ?? error.message
    })
    socket.once("close", () => resolve(code))
  })

export const connectError = (port: number): Promise<string> =>
  connect(port).then(
    (socket) => {
      socket.destroy()
      return "connected"
    },
    (error: NodeJS.ErrnoException) => error.code ?? error.message
  )

export const get = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, body: await response.text() }
  })

/**
 * What a fetch saw within `timeoutMs`: `answered <status> <body>`, a socket-level errno code, or
 * `"no answer"`. Node's fetch (undici) puts the errno in `cause`; Deno's fetch only words it in the message.
 */
export const outcomeOfFetch = (url: string, timeoutMs = 2_000, init?: RequestInit) =>
  Effect.promise(() =>
    fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }).then(
      async (response) => `answered ${response.status} ${await response.text()}`,
      (error: { name?: string; message?: string; cause?: { code?: string; message?: string } }) => {
        if (error.name === "TimeoutError") return "no answer"
        const text = `${error.cause?.code ?? ""} ${error.cause?.message ?? ""} ${error.message ?? ""}`
        if (/ECONNREFUSED|connection refused/i.test(text)) return "ECONNREFUSED"
        if (/ECONNRESET|reset by peer|other side closed|socket hang up/i.test(text)) return "ECONNRESET"
        return text
      }
    )
  )
