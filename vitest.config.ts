import { defineConfig } from "vitest/config"

// One suite, many projects: every package that has tests, the examples' pure parts and their end-to-end replays.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "examples/vitest.unit.config.ts", "examples/vitest.config.ts"]
  }
})
