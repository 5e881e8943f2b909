/**
 * The minimal pattern of every package on Deno, under `Deno.test`:
 * `node_modules/deno/deno test -A runtime-tests/deno` (from the repository root; the real binary).
 */
import { patterns } from "../patterns.ts"

for (const pattern of patterns) {
  Deno.test(pattern.name, async () => {
    console.log(`deno ${Deno.version.deno}: ${await pattern.run()}`)
  })
}
