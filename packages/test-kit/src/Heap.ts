/**
 * Retained-heap readings for memory tests and benchmarks: a full collection before each reading, so the
 * figures compare what is kept, not garbage not yet collected. Works on Node and Deno (`node:v8`, `node:vm`).
 */
import * as v8 from "node:v8"
import * as vm from "node:vm"

/** Forces a full collection; `--expose-gc` is switched on at run time when the process did not start with it. */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
})()

/** Heap in use after two full collections, in bytes. */
export const retainedHeapBytes = (): number => {
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
}
