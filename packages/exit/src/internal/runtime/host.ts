import type * as api from "../../Main.ts"
import type { CrashOrigin } from "../shutdown.ts"

/**
 * What `Main.run` needs from the runtime it runs on. The adapters behind it (`node.ts`, `bun.ts`, `deno.ts`)
 * are the only modules of the package that touch `process` or `Deno`.
 */
export interface Host {
  readonly runtime: "node" | "deno" | "bun"
  /**
   * Calls `handler` on every delivery of `signal` until the returned function is called. While it is installed
   * the signal no longer ends the process. Throws if the runtime cannot listen to the signal here.
   */
  readonly onSignal: (signal: api.Signal, handler: () => void) => () => void
  /**
   * Calls `handler` for every uncaught exception and unhandled rejection until the returned function is
   * called. While it is installed they no longer end the process.
   */
  readonly onCrash: (handler: (error: unknown, origin: CrashOrigin) => void) => () => void
  /** Writes a line on stderr. */
  readonly writeError: (line: string) => void
  /**
   * Writes `lastLine` on stderr, gives stdout and stderr at most {@link drainMillis} to drain, and ends the
   * process with `code`.
   */
  readonly exit: (code: number, lastLine: string) => void
}

/** The longest the exit waits for a slow reader of stdout or stderr: the summary must not hang the exit. */
export const drainMillis = 1000
