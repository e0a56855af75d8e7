import type { FaultChange } from "../../../core/faults.ts";
import type { FaultMarker } from "../../../core/run.ts";
import type { ChartMarker } from "./fault-markers.ts";

/**
 * Turns a run's fault timeline into chart markers (x in epoch seconds). `at` is read by size,
 * since generators report it either as epoch milliseconds, epoch seconds, or seconds into the run.
 */
export function runMarkers(faults: ReadonlyArray<FaultMarker>, startedAtMs: number): ChartMarker[] {
  return faults.map((f) => ({
    at: markerSecond(f.at, startedAtMs),
    label: `${f.fault} ${f.action === "set" ? "on" : "off"}`,
    kind: f.action,
    ...(f.detail ? { detail: f.detail } : {}),
  }));
}

/** Fault switches flipped by hand (GET /faults/changes), marked "(by hand)" beside the timeline's. */
export function changeMarkers(changes: ReadonlyArray<FaultChange>): ChartMarker[] {
  return changes.map((c) => ({
    at: Math.round(c.at / 1000),
    label: `${c.fault} ${c.action === "set" ? "on" : "off"} (by hand)`,
    kind: c.action,
    detail: [c.by, c.detail].filter(Boolean).join(": "),
  }));
}

/** Whether a hand-made change falls within a run (which may still be going). */
export function duringRun(
  change: FaultChange,
  run: { startedAt: number; endedAt?: number | undefined },
): boolean {
  return change.at >= run.startedAt && (run.endedAt === undefined || change.at <= run.endedAt);
}

export function markerSecond(at: number, startedAtMs: number): number {
  if (at >= 1e12) return at / 1000;
  if (at >= 1e9) return at;
  return startedAtMs / 1000 + at;
}
