import { defineConfig } from "vitest/config"

// One suite, many projects: every package that has tests and the examples' end-to-end tests.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "examples"]
  }
})
