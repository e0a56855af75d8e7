import { Counter, Gauge, type Registry } from "prom-client";
import type { BackupScheduler } from "./scheduler.ts";

/** Backup figures on the hub's /metrics, read from the scheduler at scrape time. */
export function registerBackupMetrics(
  registry: Registry,
  scheduler: BackupScheduler,
  now: () => number,
): void {
  const lastSuccess = () =>
    scheduler.status.lastSuccessAt ? Date.parse(scheduler.status.lastSuccessAt) : undefined;
  new Gauge({
    name: "peakwatch_hub_backup_last_success_timestamp_seconds",
    help: "Unix time of the last successful backup (absent before the first)",
    registers: [registry],
    collect() {
      const at = lastSuccess();
      if (at !== undefined) this.set(at / 1000);
    },
  });
  new Gauge({
    name: "peakwatch_hub_backup_age_seconds",
    help: "Seconds since the last successful backup (absent before the first)",
    registers: [registry],
    collect() {
      const at = lastSuccess();
      if (at !== undefined) this.set(Math.max(0, (now() - at) / 1000));
    },
  });
  new Gauge({
    name: "peakwatch_hub_backup_last_size_bytes",
    help: "Size of the last successful backup archive",
    registers: [registry],
    collect() {
      if (scheduler.status.lastSuccessBytes !== null) this.set(scheduler.status.lastSuccessBytes);
    },
  });
  new Counter({
    name: "peakwatch_hub_backup_failures_total",
    help: "Backups that failed since the hub started",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(scheduler.failures);
    },
  });
}
