import { defineConfig } from "vitest/config"

// One suite, many projects: every package and the examples' end-to-end tests.
export default defineConfig({
  test: {
    projects: ["packages/*", "examples"]
  }
})
