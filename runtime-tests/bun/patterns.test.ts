/**
 * The minimal pattern of every package on Bun, under `bun:test`: `pnpm exec bun test runtime-tests/bun` (from the
 * repository root).
 */
// @ts-ignore: bun:test exists only under Bun
import { test } from "bun:test"
import { patterns } from "../patterns.ts"

for (const pattern of patterns) {
  test(pattern.name, async () => {
    console.log(`bun ${process.versions.bun}: ${await pattern.run()}`)
  }, 20_000)
}
