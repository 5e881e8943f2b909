import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../vitest.shared.ts"

// The examples' pure parts: each replay's judge, the harness's rules, the demo's verdicts, the docs and list checks.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "examples-unit",
      include: ["*/test/judge.test.ts", "shared/test/**/*.test.ts"]
    }
  })
)
