import { defineConfig } from "vitest/config";

// Two projects so `npm test` runs both: fast unit tests beside the code, and
// integration tests under test/ (real databases, sockets, processes, browsers).
export default defineConfig({
  test: {
    // In CI every test is listed (so both database variants show); the last line is a plain summary.
    reporters: [process.env.CI ? "verbose" : "default", "./test/helpers/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["{core,db,server,shop,loadgen,probes,dashboard,bin}/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          // After the unit tests, with fewer workers of its own.
          sequence: { groupOrder: 1 },
          include: ["test/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Timing assertions must hold on a loaded 2-core machine: keep parallelism modest.
          maxWorkers: 2,
        },
      },
    ],
  },
});
