import { describe, expect, it } from "vitest";
import { postableAlerts } from "./alertmanager.ts";
import { type Notification, plainText, title } from "./notification.ts";
import { webhookPayload, ZERO_TIME } from "./webhook.ts";

const notification: Notification = {
  id: "n1",
  groupKey: '0.0:hook:{alertname="CheckoutErrorRate"}',
  receiver: "hook",
  status: "firing",
  reminder: false,
  groupLabels: { alertname: "CheckoutErrorRate" },
  commonLabels: { alertname: "CheckoutErrorRate", severity: "critical" },
  commonAnnotations: {},
  externalURL: "http://127.0.0.1:4000",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "CheckoutErrorRate", severity: "critical", runId: "r1" },
      annotations: { summary: "31%" },
      startsAt: Date.UTC(2026, 0, 1, 12, 0, 0),
      endsAt: null,
      generatorURL: "http://127.0.0.1:4000/#/alerts?fingerprint=abc",
      fingerprint: "0123456789abcdef",
      acknowledgedBy: null,
      recovering: false,
    },
    {
      status: "resolved",
      labels: { alertname: "CheckoutErrorRate", severity: "critical", runId: "r2" },
      annotations: {},
      startsAt: Date.UTC(2026, 0, 1, 11, 0, 0),
      endsAt: Date.UTC(2026, 0, 1, 11, 5, 0),
      generatorURL: "http://127.0.0.1:4000/#/alerts?fingerprint=def",
      fingerprint: "fedcba9876543210",
      acknowledgedBy: null,
      recovering: false,
    },
  ],
};

describe("webhook payload", () => {
  it("has exactly the fields of Alertmanager's webhook version 4", () => {
    const payload = webhookPayload(notification);
    expect(Object.keys(payload).sort()).toEqual(
      [
        "version",
        "groupKey",
        "truncatedAlerts",
        "status",
        "receiver",
        "groupLabels",
        "commonLabels",
        "commonAnnotations",
        "externalURL",
        "alerts",
      ].sort(),
    );
    expect(payload.version).toBe("4");
    expect(Object.keys(payload.alerts[0]!).sort()).toEqual(
      ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"].sort(),
    );
    expect(payload.alerts[0]).toMatchObject({ startsAt: "2026-01-01T12:00:00.000Z", endsAt: ZERO_TIME });
    expect(payload.alerts[1]).toMatchObject({ status: "resolved", endsAt: "2026-01-01T11:05:00.000Z" });
  });

  it("truncates past 100 alerts and says how many were left out", () => {
    const many = { ...notification, alerts: Array.from({ length: 130 }, () => notification.alerts[0]!) };
    const payload = webhookPayload(many);
    expect(payload.alerts).toHaveLength(100);
    expect(payload.truncatedAlerts).toBe(30);
  });
});

describe("postableAlerts", () => {
  it("gives firing alerts an endsAt ahead and resolved ones their end", () => {
    const now = Date.UTC(2026, 0, 1, 12, 1, 0);
    const [firing, resolved] = postableAlerts(notification.alerts, now, 240_000);
    expect(firing!.endsAt).toBe("2026-01-01T12:05:00.000Z");
    expect(resolved!.endsAt).toBe("2026-01-01T11:05:00.000Z");
    expect(Object.keys(firing!).sort()).toEqual([
      "annotations",
      "endsAt",
      "generatorURL",
      "labels",
      "startsAt",
    ]);
  });
});

describe("truthful wording", () => {
  it("says held open (recovering) for an alert kept firing by keep_firing_for, in title, mail and webhook", () => {
    const held = {
      ...notification,
      alerts: [{ ...notification.alerts[0]!, recovering: true }],
    };
    expect(title(held)).toBe("[HELD OPEN (recovering):1] CheckoutErrorRate (critical)");
    expect(plainText(held)).toContain("- HELD OPEN (RECOVERING) CheckoutErrorRate: 31%");
    expect(webhookPayload(held).alerts[0]!.annotations.state).toBe("held open (recovering)");
    expect(webhookPayload(notification).alerts[0]!.annotations.state).toBe("firing");
    expect(webhookPayload(notification).alerts[1]!.annotations.state).toBe("resolved");
  });
});

describe("title", () => {
  it("says firing count, resolved and reminders plainly", () => {
    expect(title(notification)).toBe("[FIRING:1] CheckoutErrorRate (critical)");
    expect(title({ ...notification, reminder: true })).toBe(
      "[STILL FIRING] [FIRING:1] CheckoutErrorRate (critical)",
    );
    expect(title({ ...notification, status: "resolved", alerts: [notification.alerts[1]!] })).toBe(
      "[RESOLVED] CheckoutErrorRate (critical)",
    );
  });
});
