import { z } from "zod";
import { severities } from "./alert.ts";
import { FaultChangeSchema } from "./faults.ts";
import type { FaultMarker, RunStatus, ThresholdResult } from "./run.ts";

/**
 * A run's verdict combines its thresholds with the alerts that fired during it: thresholds can
 * pass while customers could not pay, and a manager must not read "Passed" then.
 * - `passed`: thresholds held and no critical alert fired;
 * - `passed-with-incidents`: thresholds held but a critical alert fired during the run;
 * - `failed`, `aborted`, `error`, `degraded` (a worker stopped early): as the run ended;
 *   `running` while it lasts.
 */
export const verdictStates = [
  "running",
  "passed",
  "passed-with-incidents",
  "failed",
  "aborted",
  "error",
  "degraded",
] as const;
export type VerdictState = (typeof verdictStates)[number];

/** An alert that fired during a run. */
export const RunIncidentSchema = z.object({
  rule: z.string(),
  severity: z.enum(severities),
  fingerprint: z.string(),
  /** The measured value when it fired, in the rule's unit; null when unknown. */
  value: z.number().nullable(),
  /** The value with its unit, e.g. "16 %", "912 ms". */
  valueText: z.string(),
  /** Unix epoch milliseconds when it fired. */
  at: z.number().int(),
  summary: z.string(),
  /** The fault the profile injected on purpose that was active then, e.g. "payment_failure (30 %)". */
  injectedFault: z.string().nullable(),
  /** True when it fired before the run and was still firing when the run started (`at` is before it). */
  firingAtStart: z.boolean().optional(),
  /** The alert's labels, which tell apart two alerts of one rule (probe shop-cart, probe shop-home). */
  labels: z.record(z.string().max(100), z.string().max(1000)).optional(),
});
export type RunIncident = z.infer<typeof RunIncidentSchema>;

/** GET /api/v1/runs/:id/verdict. */
export const RunVerdictSchema = z.object({
  runId: z.string(),
  state: z.enum(verdictStates),
  thresholdsPassed: z.boolean(),
  incidents: z.array(RunIncidentSchema),
  /** Plain words: "Thresholds passed; 1 critical alert fired during the run (CheckoutErrorRate 16 % at 14:02 UTC, …)". */
  text: z.string(),
  /**
   * Switches flipped on by hand through the hub and still on when the run started (the run's own
   * fault timeline is in its markers): a run judged under a fault it did not set says so.
   */
  // A list this build cannot read (a newer hub's) is left out rather than losing the verdict with it.
  faultsAtStart: z.array(FaultChangeSchema).max(200).optional().catch(undefined),
  /**
   * The run's own verdict line as the hub stored it ("failed: 170 requests, …, stopped early: …"):
   * of a split run, the one the hub judged over every worker's windows.
   */
  runLine: z.string().max(2000).optional(),
});
export type RunVerdict = z.infer<typeof RunVerdictSchema>;

/** How long after a fault is cleared an alert it caused may still fire (windows drain). */
export const FAULT_AFTERGLOW_MS = 60_000;

/** A marker's detail in words: `{"percentage":30}` reads "percentage 30". */
function detailText(detail: string): string {
  try {
    const parsed = JSON.parse(detail) as unknown;
    if (parsed && typeof parsed === "object")
      return Object.entries(parsed)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(", ");
  } catch {}
  return detail;
}

/**
 * The fault the profile had injected at `at` (epoch ms): set at or before it and cleared no more
 * than the afterglow before it. Markers count seconds from the run's start.
 */
export function faultAt(markers: ReadonlyArray<FaultMarker>, startedAt: number, at: number): string | null {
  const when = (m: FaultMarker) => startedAt + m.at * 1000;
  const sorted = [...markers].sort((a, b) => a.at - b.at);
  let found: string | null = null;
  for (const set of sorted) {
    if (set.action !== "set") continue;
    if (when(set) > at) break;
    const clear = sorted.find((m) => m.action === "clear" && m.fault === set.fault && when(m) >= when(set));
    if (clear && when(clear) + FAULT_AFTERGLOW_MS < at) continue;
    found = `${set.fault}${set.detail ? ` (${detailText(set.detail)})` : ""}`;
  }
  return found;
}

const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/** Labels every alert carries, which never tell two alerts of one rule apart. */
const COMMON_LABELS = new Set(["alertname", "severity"]);

/**
 * For each rule with more than one incident in `incidents`, the label names whose values differ
 * between them ("probe"), so each can be named: "ShopDown (probe shop-cart)".
 */
function tellingLabels(incidents: ReadonlyArray<RunIncident>): Map<string, string[]> {
  const byRule = new Map<string, RunIncident[]>();
  for (const i of incidents) byRule.set(i.rule, [...(byRule.get(i.rule) ?? []), i]);
  const out = new Map<string, string[]>();
  for (const [rule, list] of byRule) {
    if (list.length < 2) continue;
    const names = new Set(list.flatMap((i) => Object.keys(i.labels ?? {})));
    const differ = [...names].filter(
      (n) => !COMMON_LABELS.has(n) && new Set(list.map((i) => i.labels?.[n])).size > 1,
    );
    out.set(rule, differ.sort());
  }
  return out;
}

function describe(i: RunIncident, telling: ReadonlyMap<string, string[]>): string {
  const which = (telling.get(i.rule) ?? []).map((n) => `${n} ${i.labels?.[n] ?? "none"}`);
  const name = which.length > 0 ? `${i.rule} (${which.join(", ")})` : i.rule;
  if (i.firingAtStart) return `${name} ${i.valueText}, firing since ${clock(i.at)}`;
  const cause = i.injectedFault ? `, caused by the injected fault ${i.injectedFault}` : "";
  return `${name} ${i.valueText} at ${clock(i.at)}${cause}`;
}

/** A run's verdict state from its status and whether a critical alert fired during it. Pure. */
export function verdictState(status: RunStatus, criticalFired: boolean): VerdictState {
  if (status === "starting" || status === "running") return "running";
  if (status === "passed") return criticalFired ? "passed-with-incidents" : "passed";
  return status;
}

/** The verdict of a run from its status, thresholds and the alerts that fired during it. Pure. */
export function runVerdict(
  run: { runId: string; status: RunStatus; thresholds: ReadonlyArray<ThresholdResult> },
  incidents: ReadonlyArray<RunIncident>,
): RunVerdict {
  const thresholdsPassed = run.thresholds.every((t) => t.ok);
  const critical = incidents.filter((i) => i.severity === "critical");
  const before = critical.filter((i) => i.firingAtStart);
  const during = critical.filter((i) => !i.firingAtStart);
  const others = incidents.filter((i) => i.severity !== "critical");
  const state = verdictState(run.status, critical.length > 0);
  const failed = run.thresholds.filter((t) => !t.ok).map((t) => t.expression);
  const parts: string[] = [];
  if (state === "running") parts.push("Running");
  else if (run.thresholds.length === 0) parts.push("No thresholds");
  else parts.push(thresholdsPassed ? "Thresholds passed" : `Thresholds failed (${failed.join("; ")})`);
  if (run.status === "aborted" || run.status === "error" || run.status === "degraded")
    parts.push(`run ${run.status}`);
  const plural = (n: number, what: string) => `${n} ${what} alert${n === 1 ? "" : "s"}`;
  const telling = tellingLabels(incidents);
  const words = (list: ReadonlyArray<RunIncident>) => list.map((i) => describe(i, telling)).join("; ");
  if (before.length > 0)
    parts.push(`${plural(before.length, "critical")} already firing when the run started (${words(before)})`);
  if (during.length > 0)
    parts.push(`${plural(during.length, "critical")} fired during the run (${words(during)})`);
  if (others.length > 0) parts.push(`${plural(others.length, "other")} (${words(others)})`);
  if (incidents.length === 0 && state !== "running") parts.push("no alert fired during the run");
  return { runId: run.runId, state, thresholdsPassed, incidents: [...incidents], text: parts.join("; ") };
}

/** A verdict state in plain words, as the dashboard and the reports show it. */
export const verdictStateLabels: Record<VerdictState, string> = {
  running: "running",
  passed: "passed",
  "passed-with-incidents": "passed with incidents",
  failed: "failed",
  aborted: "aborted",
  error: "error",
  degraded: "degraded (a worker stopped early)",
};
