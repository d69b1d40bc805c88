import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["server/test/**/*.test.ts"],
    environment: "node",
    // Fails any test during which a server error was logged that the test did not take.
    setupFiles: ["server/test/support/stray-errors.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Plain output that CI logs keep readable; the summary line counts passed/failed/skipped.
    reporters: ["default"],
  },
});
