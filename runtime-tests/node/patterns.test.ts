/**
 * The minimal pattern of every package on Node, under `node:test`:
 * `node --import tsx --test --test-reporter=spec runtime-tests/node/*.test.ts` (from the repository root).
 */
import { test } from "node:test"
import { patterns } from "../patterns.ts"

for (const pattern of patterns) {
  test(pattern.name, { timeout: 20_000 }, async () => {
    console.log(`node ${process.version}: ${await pattern.run()}`)
  })
}
