import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../../vitest.shared.ts"

// Real loopback sockets: each test is fast, but timing bounds are generous.
export default mergeConfig(shared, defineProject({ test: { name: "fault" } }))
