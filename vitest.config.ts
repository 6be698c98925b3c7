import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    // Logs of passing tests are noise; a failing test still shows its logs.
    silent: "passed-only"
  }
})
