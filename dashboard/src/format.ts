/** Display formatting shared by every view; pure, so it is unit-tested. */
import { durationText } from "../../core/duration.ts";
import { instantFormat } from "../../core/instant.ts";

/** Milliseconds with a unit sized to the value: 0.42 ms, 12.3 ms, 1.25 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A ratio as a percentage: 0.0123 → "1.23 %". */
export function formatPercent(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** A rate per second: 12.5 → "12.5/s". */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return "–";
  return `${perSecond >= 100 ? Math.round(perSecond) : Number(perSecond.toFixed(1))}/s`;
}

/** A duration in seconds, in words: 45 s, 3 min 20 s, 2 h 5 min, 3 d 4 h (one wording with the CLI and alert texts). */
export const formatDuration = durationText;

/** An epoch-milliseconds instant as local date and time with its zone ("12/06/2026, 01:02:03 UTC"), or "–". */
export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return "–";
  return instantFormat.format(epochMs);
}

/** How long ago `epochMs` was, relative to `now`: "just now", "5 min ago". */
export function formatAgo(epochMs: number | null | undefined, now: number): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return "–";
  const seconds = (now - epochMs) / 1000;
  if (seconds < 5) return "just now";
  return `${formatDuration(seconds)} ago`;
}

/** Labels as `key=value` pairs, the way Alertmanager prints them. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/**
 * The words of an identifier such as a rule name ("CheckoutErrorBudgetBurn", "p95_checkout"),
 * split where a line may break: before a capital that follows a lower-case letter or a digit,
 * and after an underscore. Joined, the parts are the name again.
 */
export function nameParts(name: string): string[] {
  return name.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=_)(?=.)/);
}
