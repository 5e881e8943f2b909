import type { Host } from "./host.ts"
import { makeProcessHost, type NodeProcess } from "./node.ts"

/**
 * Bun implements Node's `process` events for signals, `uncaughtException` and `unhandledRejection`, and they
 * behave the same (checked on the real binary by the package's tests), so the host is Node's. One difference:
 * Bun does not report `process.stdout.writableLength`, so output the program left buffered on a slow stdout
 * pipe may be lost at the exit; the summary itself, on stderr, is waited for.
 */
export const makeBunHost = (process: NodeProcess): Host => makeProcessHost("bun", process)
