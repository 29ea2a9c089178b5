import { defineConfig } from "vitest/config";

// Unit tests run against the BUILT main.js (see test/load.ts); `npm test` builds first.
export default defineConfig({
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 10000,
  },
});
