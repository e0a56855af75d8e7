import { defineConfig } from "vitest/config";

// Two projects so `npm test` runs both: fast unit tests beside the code, and
// integration tests under test/ (real databases, sockets, processes, browsers).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{core,db,server,shop,loadgen,probes,dashboard,bin}/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
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
