import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Route } from "../../core/channel.ts";
import { readAlertingFile } from "../../server/notify/declared.ts";
import { matchRoutes } from "../../server/notify/routing.ts";

const example = fileURLToPath(new URL("../../deploy/alerting.example.yaml", import.meta.url));

function channelsIn(route: Route): string[] {
  return [...(route.channel ? [route.channel] : []), ...route.routes.flatMap(channelsIn)];
}

describe("deploy/alerting.example.yaml", () => {
  const file = readAlertingFile(example);

  it("is a valid PEAKWATCH_ALERTING_CONFIG with one channel of every kind", () => {
    expect(file.channels.map((c) => c.kind).sort()).toEqual(
      ["alertmanager", "email", "pagerduty", "slack", "webhook"].sort(),
    );
    expect(file.inhibitRules?.length).toBeGreaterThan(0);
  });

  it("routes only to channels it declares", () => {
    const declared = new Set(file.channels.map((c) => c.name));
    for (const name of channelsIn(file.route!)) expect(declared.has(name), name).toBe(true);
  });

  it("sends a critical alert to on-call, managers, Slack and the webhook, a warning to Slack and the webhook", () => {
    const to = (severity: string) =>
      matchRoutes(file.route!, { alertname: "CheckoutErrorRate", severity, target: "http://shop" })
        .map((r) => r.channel)
        .sort();
    expect(to("critical")).toEqual(["managers-email", "oncall-pagerduty", "ops-slack", "ops-webhook"]);
    expect(to("warning")).toEqual(["ops-slack", "ops-webhook"]);
  });
});
