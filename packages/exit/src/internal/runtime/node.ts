import type * as api from "../../Main.ts"
import type { CrashOrigin } from "../shutdown.ts"
import { drainMillis, type Host } from "./host.ts"

/** The part of Node's `process` the adapter uses (Bun implements the same), typed here: no `@types/node`. */
export interface NodeProcess {
  readonly versions: { readonly node?: string | undefined }
  on(event: api.Signal, listener: () => void): unknown
  on(event: "uncaughtException", listener: (error: unknown, origin: string) => void): unknown
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown
  off(event: api.Signal, listener: () => void): unknown
  off(event: "uncaughtException", listener: (error: unknown, origin: string) => void): unknown
  off(event: "unhandledRejection", listener: (reason: unknown) => void): unknown
  exit(code: number): never
  readonly stdout: { readonly writableLength?: number | undefined }
  readonly stderr: {
    readonly writableLength?: number | undefined
    write(chunk: string, callback?: (error?: unknown) => void): boolean
  }
}

export const nodeProcess = (): NodeProcess | undefined => (globalThis as { readonly process?: NodeProcess }).process

/**
 * A host on a Node-style `process`: `process.on` for signals, `uncaughtException` and `unhandledRejection`
 * (a listener for each keeps the runtime from dying of them), `process.exit` to end.
 *
 * Writes to a pipe are asynchronous: a burst of output the reader has not taken yet sits in the stream's
 * buffer, and `process.exit` drops it. So the exit writes the summary, then waits until stderr has flushed it
 * and stdout's buffer is empty, at most {@link drainMillis}.
 */
export const makeProcessHost = (runtime: "node" | "bun", process: NodeProcess): Host => ({
  runtime,
  onSignal: (signal, handler) => {
    const listener = () => handler()
    process.on(signal, listener)
    return () => void process.off(signal, listener)
  },
  onCrash: (handler) => {
    const onException = (error: unknown) => handler(error, "uncaughtException" satisfies CrashOrigin)
    const onRejection = (reason: unknown) => handler(reason, "unhandledRejection" satisfies CrashOrigin)
    process.on("uncaughtException", onException)
    process.on("unhandledRejection", onRejection)
    return () => {
      process.off("uncaughtException", onException)
      process.off("unhandledRejection", onRejection)
    }
  },
  writeError: (line) => void process.stderr.write(`${line}\n`),
  exit: (code, lastLine) => {
    let flushed = false
    let polling = false
    let exiting = false
    const deadline = performance.now() + drainMillis
    const finish = () => {
      if (exiting) return
      if ((flushed && (process.stdout.writableLength ?? 0) === 0) || performance.now() >= deadline) {
        exiting = true
        process.exit(code)
      } else if (!polling) {
        polling = true
        // Nothing signals when a buffer another writer filled has drained; look again shortly.
        const poll = () => {
          polling = false
          finish()
        }
        setTimeout(poll, 5)
      }
    }
    try {
      process.stderr.write(`${lastLine}\n`, () => {
        flushed = true
        finish()
      })
      // A write the pipe took at once leaves nothing buffered; its callback would only cost another turn.
      if (process.stderr.writableLength === 0) flushed = true
    } catch {
      flushed = true
    }
    finish()
  }
})

export const makeNodeHost = (process: NodeProcess): Host => makeProcessHost("node", process)
