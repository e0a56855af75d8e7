import { describe, expect, it } from "vitest";
import type { Alert, AlertEvent } from "../../../core/alert.ts";
import { AlertBook } from "./alert-book.ts";

const alert = (fingerprint: string, state: Alert["state"], extra: Partial<Alert> = {}): Alert => ({
  fingerprint,
  rule: "PaymentErrors",
  state,
  severity: "critical",
  labels: { alertname: "PaymentErrors", step: fingerprint },
  annotations: { summary: "payments failing" },
  value: 0.3,
  activeAt: 1000,
  firedAt: state === "firing" ? 2000 : null,
  resolvedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  silencedBy: [],
  inhibited: false,
  ...extra,
});
const event = (seq: number, a: Alert): AlertEvent => ({ seq, kind: "firing", at: 3000, alert: a });

describe("AlertBook", () => {
  it("a replayed older event does not roll an alert back", () => {
    const book = new AlertBook();
    expect(book.apply(event(2, alert("x", "resolved")))).toBe(true);
    expect(book.apply(event(1, alert("x", "firing")))).toBe(false);
    expect(book.get("x")?.state).toBe("resolved");
  });

  it("lists firing first and filters by state and text", () => {
    const book = new AlertBook();
    book.reset([alert("a", "resolved"), alert("b", "firing"), alert("c", "pending", { rule: "SlowSearch" })]);
    expect(book.list().map((a) => a.fingerprint)).toEqual(["b", "c", "a"]);
    expect(book.list(["pending", "resolved"]).map((a) => a.fingerprint)).toEqual(["c", "a"]);
    expect(book.list([], "slowsearch").map((a) => a.fingerprint)).toEqual(["c"]);
    expect(book.counts()).toMatchObject({ firing: 1, pending: 1, resolved: 1 });
  });
});
