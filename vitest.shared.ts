import type { ViteUserConfig } from "vitest/config"

/** Settings every project's vitest config starts from. */
export const shared: ViteUserConfig = {
  esbuild: { target: "es2022" },
  test: {
    include: ["test/**/*.test.ts"],
    sequence: { concurrent: false },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
}
