import { defineConfig } from "vitest/config";
import LongFirstSequencer from "./test/helpers/long-first-sequencer.ts";

/**
 * Tests whose assertions are about time or rate (arrivals per second, schedule intervals,
 * alert latency, start-up and restart times, equal response times). They run last, one file
 * at a time, so their figures measure our code and not two other test files sharing the cores.
 */
const timing = [
  "test/loadgen/rate-accuracy.test.ts",
  "test/loadgen/coordinated-omission.test.ts",
  "test/loadgen/breakpoint.test.ts",
  // Three local workers against the real shop and hub: arrival spacing, exact merged percentiles, a killed worker.
  "test/loadgen/workers.test.ts",
  "test/plan/capacity.test.ts",
  "test/probes/schedule.test.ts",
  "test/alerting/fault-to-notice.test.ts",
  "test/alerting/restart.test.ts",
  "test/alerting/replicas.test.ts",
  "test/alerting/outage.test.ts",
  "test/shop/otp-login.test.ts",
  "test/browser/dashboard.test.ts",
  // Two load runs watched live, an alert that must fire during the first, every view at two sizes.
  "test/browser/views.test.ts",
  // A first-byte timeout fault and a live tile compared with the hub's figures while a run goes on.
  "test/browser/error-causes.test.ts",
  "test/up.test.ts",
  "test/fuzz/routes.test.ts",
  // Request times and /healthz latency while hostile windows and a 130k-window run are served.
  "test/hub/ingest-hardening.test.ts",
  // Two hub processes on one Postgres: stop through the other replica, takeover within 10 s of a SIGKILL.
  "test/hub/replicas-runs.test.ts",
  // Three real generator processes the hub starts against a real shop; one is killed mid-run.
  "test/hub/split-run.test.ts",
  // Two real generator processes as a Kubernetes run's pods, stopped through the ingest answer.
  "test/hub/remote-stop.test.ts",
];

const integration = {
  environment: "node" as const,
  pool: "forks" as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

// Three projects, all run by `npm test`: fast unit tests beside the code, integration tests
// under test/ (real databases, sockets, processes, browsers), then the timing-sensitive ones.
export default defineConfig({
  test: {
    // In CI every test is listed (so both database variants show); the last line is a plain summary.
    reporters: [process.env.CI ? "verbose" : "default", "./test/helpers/summary-reporter.ts"],
    // Long files first within each project, also on a clean clone with no cached durations.
    sequence: { sequencer: LongFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["{core,db,server,shop,loadgen,probes,dashboard,bin}/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          environment: "node",
          testTimeout: 20_000,
          // Vitest's default is one fewer worker than cores: one worker on CI's 2 cores, which left a
          // core idle for the whole unit phase (CPU-bound: mostly module imports).
          maxWorkers: 2,
        },
      },
      {
        test: {
          ...integration,
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["test/**/*.test.ts"],
          exclude: timing,
          maxWorkers: 2,
        },
      },
      {
        test: {
          ...integration,
          name: "timing",
          sequence: { groupOrder: 2 },
          include: timing,
          maxWorkers: 1,
          fileParallelism: false,
          // One process for the whole phase: the modules they share (hub, shop, PGlite, playwright)
          // load once instead of once a file (~3.6 s a file measured), and no file runs beside another.
          isolate: false,
        },
      },
    ],
  },
});
