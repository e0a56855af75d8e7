import { z } from "zod";

/** Alert lifecycle as in Prometheus: inactive → pending (`for`) → firing → resolved. */
export const alertStates = ["inactive", "pending", "firing", "resolved"] as const;
export type AlertState = (typeof alertStates)[number];

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];

const labels = z.record(z.string(), z.string());

/** An alert instance, identified by the fingerprint of its sorted labels. */
export const AlertSchema = z.object({
  fingerprint: z.string().min(1),
  rule: z.string().min(1),
  state: z.enum(alertStates),
  severity: z.enum(severities),
  labels,
  annotations: labels,
  value: z.number().nullable(),
  /** The value with its unit as the rule measures it ("28.6 %", "1018 ms", "31.8× budget"); absent on alerts stored before it existed. */
  valueText: z.string().max(100).optional(),
  /** Unix epoch milliseconds. */
  activeAt: z.number().int().nullable(),
  firedAt: z.number().int().nullable(),
  resolvedAt: z.number().int().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.number().int().nullable(),
  /** Ids of the silences muting this alert's notifications (it stays visible). */
  silencedBy: z.array(z.string()).default([]),
  /** Muted by an inhibition rule, e.g. latency alerts while the shop is down. */
  inhibited: z.boolean().default(false),
});
export type Alert = z.infer<typeof AlertSchema>;

/** `inactive`: a pending alert whose condition cleared before `for` elapsed (it never fired). */
export const alertEventKinds = [
  "pending",
  "firing",
  "resolved",
  "acknowledged",
  "reminder",
  "inactive",
] as const;
export type AlertEventKind = (typeof alertEventKinds)[number];

/** What the hub pushes to the dashboard; `seq` is monotonic so a reconnecting client can resume. */
export const AlertEventSchema = z.object({
  seq: z.number().int().nonnegative(),
  kind: z.enum(alertEventKinds),
  at: z.number().int(),
  alert: AlertSchema,
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
