import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../vitest.shared.ts"

// End-to-end replays: real processes, sockets and signals, so generous timeouts. They run on Node (each replay
// is a Node program); the pure parts (judges, the harness's rules, the docs and list checks) are the
// `examples-unit` project, which also runs under Deno.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "examples",
      include: ["*/test/**/*.test.ts"],
      exclude: ["*/test/judge.test.ts", "shared/test/**", "**/node_modules/**"],
      testTimeout: 120_000,
      hookTimeout: 60_000
    }
  })
)
