import { randomUUID } from "node:crypto";
import type { Alert, AlertEvent } from "../../core/alert.ts";
import { encodeHistogram, newHistogram, recordMicros } from "../../core/histogram.ts";
import type { ProbeResult } from "../../core/probe-result.ts";
import type { Window } from "../../core/window.ts";

/** A deterministic pseudo-random generator (Lehmer), so sample sets are reproducible. */
export function lehmer(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** A window whose histogram holds exactly `samplesMicros`. */
export function makeWindow(
  key: Pick<Window, "runId" | "step" | "worker" | "second">,
  samplesMicros: ReadonlyArray<number> = [1000, 2000, 3000],
  extra: Partial<Window> = {},
): Window {
  const h = newHistogram();
  for (const s of samplesMicros) recordMicros(h, s);
  return {
    ...key,
    count: samplesMicros.length,
    errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
    bytes: samplesMicros.length * 100,
    targetRate: samplesMicros.length,
    achievedRate: samplesMicros.length,
    dropped: 0,
    latency: encodeHistogram(h),
    ...extra,
  };
}

export function makeProbeResult(extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    id: randomUUID(),
    probe: "homepage",
    kind: "http",
    region: "local",
    target: "http://127.0.0.1:4100/",
    startedAt: Date.now(),
    ok: true,
    state: "up",
    status: 200,
    phases: { dns: 0, connect: 1, tls: 0, firstByte: 5, transfer: 1, total: 7 },
    ...extra,
  };
}

/** A run report (POST /ingest/runs body) for a run that has just started. */
export function makeRunReport(runId: string, extra: Record<string, unknown> = {}) {
  return {
    runId,
    profile: "smoke",
    target: "http://127.0.0.1:4100/",
    status: "running",
    startedAt: Date.now(),
    workers: 1,
    thresholds: [],
    faults: [],
    ...extra,
  };
}

/** A firing alert event numbered `n` (its fingerprint `fp-<n>`), its description `padding` bytes long. */
export function makeAlertEvent(n: number, padding = 0): Omit<AlertEvent, "seq"> {
  const alert: Alert = {
    fingerprint: `fp-${n}`,
    rule: "HighLatency",
    state: "firing",
    severity: "warning",
    labels: { step: "checkout" },
    annotations: padding > 0 ? { description: "x".repeat(padding) } : {},
    value: n,
    activeAt: Date.now(),
    firedAt: Date.now(),
    resolvedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    silencedBy: [],
    inhibited: false,
  };
  return { kind: "firing", at: Date.now(), alert };
}
