import client from "prom-client";
import { collectProcessMetrics } from "../core/metrics/default-metrics.ts";
import type { ProbeResult } from "../core/probe-result.ts";
import { phaseOrder } from "./phases.ts";
import type { ReporterStats } from "./reporter.ts";

export interface ProbeMetrics {
  registry: client.Registry;
  /** Records one result (the last check's values, like blackbox_exporter). */
  observe(result: ProbeResult): void;
  /** Counts a slot skipped because the probe's previous check still ran. */
  skipped(probe: string): void;
  /** Drops the last-check series of a probe that no longer exists, so no stale value lingers. */
  forget(probe: string): void;
}

const stateValue = { up: 1, down: 0, unknown: -1 } as const;

/**
 * The probes process's Prometheus metrics in their own registry. `reporterStats` is read at
 * scrape time, so the buffer figures are never stale.
 */
export function createProbeMetrics(reporterStats: () => ReporterStats | undefined): ProbeMetrics {
  const registry = new client.Registry();
  collectProcessMetrics(registry);
  const labels = ["probe", "kind", "region"] as const;
  const success = new client.Gauge({
    name: "probe_success",
    help: "1 when the probe's last check passed, 0 when it failed",
    labelNames: labels,
    registers: [registry],
  });
  const duration = new client.Gauge({
    name: "probe_duration_seconds",
    help: "Duration of the last check by phase (dns, connect, tls, firstByte, transfer, total)",
    labelNames: [...labels, "phase"],
    registers: [registry],
  });
  const status = new client.Gauge({
    name: "probe_http_status_code",
    help: "HTTP status of the last check (0 when there was no response)",
    labelNames: labels,
    registers: [registry],
  });
  const state = new client.Gauge({
    name: "probe_state",
    help: "State after failure/success thresholds: 1 up, 0 down, -1 unknown",
    labelNames: labels,
    registers: [registry],
  });
  const checks = new client.Counter({
    name: "probe_checks_total",
    help: "Checks run, by outcome",
    labelNames: [...labels, "outcome"],
    registers: [registry],
  });
  const skips = new client.Counter({
    name: "probe_checks_skipped_total",
    help: "Slots skipped because the probe's previous check was still running",
    labelNames: ["probe"],
    registers: [registry],
  });
  // Reporter figures are read at scrape time; the counters mirror the reporter's own totals.
  const fromReporter = (
    kind: "gauge" | "counter",
    name: string,
    help: string,
    pick: (s: ReporterStats) => number,
  ) => {
    const Metric = kind === "gauge" ? client.Gauge : client.Counter;
    new Metric({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = reporterStats();
        this.reset();
        this.inc(stats ? pick(stats) : 0);
      },
    });
  };
  fromReporter("gauge", "probe_results_buffered", "Results waiting to be sent to the hub", (s) => s.buffered);
  fromReporter("counter", "probe_results_sent_total", "Results the hub acknowledged", (s) => s.sent);
  fromReporter(
    "counter",
    "probe_results_dropped_total",
    "Results dropped (oldest first) because the buffer was full while the hub was away",
    (s) => s.dropped,
  );
  fromReporter(
    "counter",
    "probe_results_rejected_total",
    "Results the hub refused as invalid",
    (s) => s.rejected,
  );
  fromReporter(
    "counter",
    "probe_report_failures_total",
    "Failed attempts to send results to the hub",
    (s) => s.failures,
  );

  const seen = new Map<string, Set<string>>();
  return {
    registry,
    observe(result) {
      const l = { probe: result.probe, kind: result.kind, region: result.region };
      const labels = seen.get(result.probe) ?? new Set<string>();
      seen.set(result.probe, labels.add(JSON.stringify(l)));
      success.set(l, result.ok ? 1 : 0);
      status.set(l, result.status ?? 0);
      state.set(l, stateValue[result.state]);
      checks.inc({ ...l, outcome: result.ok ? "success" : "failure" });
      for (const phase of [...phaseOrder, "total"] as const)
        duration.set({ ...l, phase }, result.phases[phase] / 1000);
    },
    skipped(probe) {
      skips.inc({ probe });
    },
    forget(probe) {
      for (const text of seen.get(probe) ?? []) {
        const l = JSON.parse(text) as { probe: string; kind: string; region: string };
        for (const gauge of [success, status, state]) gauge.remove(l);
        for (const phase of [...phaseOrder, "total"]) duration.remove({ ...l, phase });
      }
      seen.delete(probe);
    },
  };
}
