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
  }));
}

export function markerSecond(at: number, startedAtMs: number): number {
  if (at >= 1e12) return at / 1000;
  if (at >= 1e9) return at;
  return startedAtMs / 1000 + at;
}
