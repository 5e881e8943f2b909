/**
 * What a fault server observed, kept as it happens: connections, closes, requests. Waiters are woken on
 * every change; timers for delayed answers are owned here so that closing the server cancels them.
 *
 * @internal
 */
import { Monotonic } from "@lifeline/deadline"
import type * as api from "../FaultServer.ts"
import type * as Adapter from "./node.ts"

interface Connection {
  readonly id: number
  readonly openedAt: number
  readonly socket: Adapter.RawSocket
  closedAt: number | undefined
  closedBy: "client" | "server" | undefined
  bytesReceived: number
}

export class Recorder {
  readonly connections: Array<Connection> = []
  readonly closes: Array<number> = []
  readonly requests: Array<api.RequestRecord> = []
  readonly listeners = new Set<() => void>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private shuttingDown = false

  notify(): void {
    for (const listener of Array.from(this.listeners)) listener()
  }

  /** Records a new connection and returns its id. */
  open(socket: Adapter.RawSocket): number {
    const connection: Connection = {
      id: this.connections.length + 1,
      openedAt: Date.now(),
      socket,
      closedAt: undefined,
      closedBy: undefined,
      bytesReceived: 0
    }
    this.connections.push(connection)
    socket.onClose((byServer) => this.close(connection, byServer || this.shuttingDown))
    this.notify()
    return connection.id
  }

  private close(connection: Connection, byServer: boolean): void {
    if (connection.closedAt !== undefined) return
    connection.closedAt = Date.now()
    connection.closedBy = byServer ? "server" : "client"
    connection.bytesReceived = connection.socket.bytesRead()
    this.closes.push(connection.closedAt)
    this.notify()
  }

  /** Records a request; returns its index in `requests`. */
  request(record: Omit<api.RequestRecord, "index">): number {
    const index = this.requests.length
    this.requests.push({ index, ...record })
    this.notify()
    return index
  }

  /** Replaces what a request's record says the server did with it (an answer that could not be written). */
  amend(index: number, change: Pick<api.RequestRecord, "reply" | "error">): void {
    const record = this.requests[index]
    if (record === undefined) return
    this.requests[index] = { ...record, ...change }
    this.notify()
  }

  snapshot(): api.Stats {
    const connections = this.connections.map((c): api.ConnectionRecord => ({
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

  /**
   * Runs `f` after `millis`, unless the server shuts down first. A runtime timer cannot wait past 2^31−1 ms
   * (Node fires it after 1 ms instead), so a longer wait is a chain of shorter ones.
   */
  later(millis: number, f: () => void): void {
    if (this.shuttingDown) return
    const wait = Math.min(millis, Monotonic.maxTimerMillis)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (this.shuttingDown) return
      if (millis > wait) this.later(millis - wait, f)
      else f()
    }, wait)
    this.timers.add(timer)
  }

  /** From now on every close is the server's doing, and no delayed answer is sent. */
  shutdown(): void {
    this.shuttingDown = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  /**
   * Once the listener is closed: a socket the runtime has not reported closed yet was destroyed by the
   * shutdown, so the records say so as the scope closes, not some time later.
   */
  finish(): void {
    for (const connection of this.connections) this.close(connection, true)
  }
}
