import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests run against the BUILT main.js (see test/load.ts); `npm test` builds first.
export default defineConfig({
  // Unit tests of single modules (test/server_process.test.ts) import src/ with the mock.
  resolve: { alias: { obsidian: fileURLToPath(new URL("./test/mock/obsidian.ts", import.meta.url)) } },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // One happy-dom window for all files (a fresh one per file cost more than the tests):
    // test/setup.ts resets the mock, the DOM, HTTP and processes before every test.
    isolate: false,
    testTimeout: 10000,
    // Dates render in the local zone, as in Obsidian: the golden texts are UTC's.
    env: { TZ: "UTC" },
  },
});
