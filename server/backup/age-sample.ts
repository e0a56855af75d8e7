import type { MetricSample } from "../alerting/data.ts";
import type { BackupScheduler } from "./scheduler.ts";

type MetricSource = (fromMs: number, untilMs: number) => Promise<MetricSample[]>;

/** The series a default rule watches: seconds since the last successful backup (or since start). */
export const BACKUP_AGE_SERIES = "peakwatch_hub_backup_age_seconds";

/**
 * Adds the hub's own backup age to the samples alert rules read, so "no backup for two days"
 * alerts like any scraped series. Without a schedule nothing is added (no alert about a choice).
 */
export function withBackupAge(
  source: MetricSource,
  scheduler: BackupScheduler,
  scheduled: boolean,
  startedAt: number,
): MetricSource {
  if (!scheduled) return source;
  return async (fromMs, untilMs) => {
    const samples = await source(fromMs, untilMs);
    const last = scheduler.status.lastSuccessAt ? Date.parse(scheduler.status.lastSuccessAt) : startedAt;
    const at = untilMs - 1000;
    if (at < fromMs) return samples;
    samples.push({
      series: BACKUP_AGE_SERIES,
      labels: { target: "hub" },
      at,
      value: Math.max(0, (at - last) / 1000),
    });
    return samples;
  };
}
