import type * as api from "../../Main.ts"
import type { Host } from "./host.ts"

/** The part of the `Deno` namespace the adapter uses, typed here so that the package needs no Deno types. */
export interface DenoNamespace {
  readonly version: { readonly deno: string }
  addSignalListener(signal: api.Signal, handler: () => void): void
  removeSignalListener(signal: api.Signal, handler: () => void): void
  exit(code: number): never
  readonly stderr: { writeSync(data: Uint8Array): number }
}

interface CrashEvent {
  readonly error?: unknown
  readonly reason?: unknown
  preventDefault(): void
}

interface EventTargetLike {
  addEventListener(type: "error" | "unhandledrejection", listener: (event: CrashEvent) => void): void
  removeEventListener(type: "error" | "unhandledrejection", listener: (event: CrashEvent) => void): void
}

export const denoNamespace = (): DenoNamespace | undefined => (globalThis as { readonly Deno?: DenoNamespace }).Deno

/**
 * A host on Deno's own APIs: `Deno.addSignalListener` for signals, the global `error` and `unhandledrejection`
 * events (cancelled with `preventDefault`, which keeps Deno from dying of them) for crashes, and synchronous
 * writes to stderr. Deno 2's `process.on` works too (it is built on the same listeners); the native API is used
 * because it is what Deno documents and needs no Node compatibility layer.
 */
export const makeDenoHost = (deno: DenoNamespace, target: EventTargetLike): Host => {
  const encoder = new TextEncoder()
  const writeAll = (text: string) => {
    const bytes = encoder.encode(text)
    for (let written = 0; written < bytes.length;) {
      const n = deno.stderr.writeSync(bytes.subarray(written))
      if (n <= 0) return // nobody reads any more: the exit must not wait for them
      written += n
    }
  }
  return {
    runtime: "deno",
    onSignal: (signal, handler) => {
      const listener = () => handler()
      deno.addSignalListener(signal, listener)
      return () => deno.removeSignalListener(signal, listener)
    },
    onCrash: (handler) => {
      const onError = (event: CrashEvent) => {
        event.preventDefault()
        handler(event.error, "uncaughtException")
      }
      const onRejection = (event: CrashEvent) => {
        event.preventDefault()
        handler(event.reason, "unhandledRejection")
      }
      target.addEventListener("error", onError)
      target.addEventListener("unhandledrejection", onRejection)
      return () => {
        target.removeEventListener("error", onError)
        target.removeEventListener("unhandledrejection", onRejection)
      }
    },
    writeError: (line) => writeAll(`${line}\n`),
    exit: (code, lastLine) => {
      try {
        writeAll(`${lastLine}\n`)
      } finally {
        deno.exit(code)
      }
    }
  }
}

export const makeDenoHostFromGlobal = (deno: DenoNamespace): Host =>
  makeDenoHost(deno, globalThis as unknown as EventTargetLike)
