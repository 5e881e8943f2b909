/**
 * Helpers shared by the Lifeline packages' tests, the examples' tests and the benchmarks.
 */
export * from "./Logs.ts"
export * from "./Clocks.ts"
export * from "./Heap.ts"
export * from "./Random.ts"
export * from "./Errors.ts"
