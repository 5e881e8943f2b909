import { makeBunHost } from "./bun.ts"
import { denoNamespace, makeDenoHostFromGlobal } from "./deno.ts"
import type { Host } from "./host.ts"
import { makeNodeHost, nodeProcess } from "./node.ts"

/**
 * The host for the runtime this code runs on. Bun and Deno both provide a Node-style `process`, so they are
 * recognised first, by their own globals.
 */
export const detect = (): Host => {
  const process = nodeProcess()
  if ((globalThis as { readonly Bun?: unknown }).Bun !== undefined && process !== undefined) return makeBunHost(process)
  const deno = denoNamespace()
  if (deno !== undefined && typeof deno.version?.deno === "string") {
    return makeDenoHostFromGlobal(deno)
  }
  if (process !== undefined && typeof process.versions?.node === "string") {
    return makeNodeHost(process)
  }
  throw new Error("Main.run needs Node, Deno or Bun: none of them was found")
}
