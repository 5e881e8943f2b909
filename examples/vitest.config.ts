import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../vitest.shared.ts"

// End-to-end replays: real processes, sockets and signals, so generous timeouts.
export default mergeConfig(
  shared,
  defineProject({
    test: { name: "examples", include: ["*/test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 }
  })
)
