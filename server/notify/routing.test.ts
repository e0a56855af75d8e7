import { describe, expect, it } from "vitest";
import type { Route } from "../../core/channel.ts";
import { groupKey, groupLabels, matchRoutes } from "./routing.ts";

const route = (r: Partial<Route>): Route => ({ matchers: [], continue: false, routes: [], ...r });

describe("matchRoutes", () => {
  const tree = route({
    groupBy: ["alertname"],
    groupWaitSeconds: 30,
    routes: [
      route({
        channel: "managers",
        matchers: [{ name: "severity", op: "=", value: "critical" }],
        continue: true,
      }),
      route({
        channel: "shop-team",
        matchers: [{ name: "team", op: "=", value: "shop" }],
        groupWaitSeconds: 5,
      }),
      route({ channel: "everyone" }),
    ],
  });

  it("sends critical alerts to managers and keeps looking when the route says continue", () => {
    const hits = matchRoutes(tree, { alertname: "CheckoutErrorRate", severity: "critical", team: "shop" });
    expect(hits.map((h) => h.channel)).toEqual(["managers", "shop-team"]);
    expect(hits[1]).toMatchObject({ groupWaitMs: 5000, groupBy: ["alertname"] });
    expect(hits[0]).toMatchObject({ groupWaitMs: 30_000 });
  });

  it("stops at the first match without continue, and falls through to later siblings otherwise", () => {
    expect(
      matchRoutes(tree, { alertname: "X", severity: "warning", team: "shop" }).map((h) => h.channel),
    ).toEqual(["shop-team"]);
    expect(matchRoutes(tree, { alertname: "X", severity: "warning" }).map((h) => h.channel)).toEqual([
      "everyone",
    ]);
  });

  it("groups by the route's labels", () => {
    const [hit] = matchRoutes(tree, { alertname: "X", severity: "warning" });
    const labels = groupLabels(hit!, { alertname: "X", severity: "warning", runId: "r1" });
    expect(labels).toEqual({ alertname: "X" });
    expect(groupKey(hit!, labels)).toBe('0.2:everyone:{alertname="X"}');
  });
});

describe("channel URLs from the environment", () => {
  it("refuses credentials in PEAKWATCH_WEBHOOK_URL at start-up, naming the variable", async () => {
    const { loadAlertingConfig } = await import("../alerting/config.ts");
    expect(() => loadAlertingConfig({ PEAKWATCH_WEBHOOK_URL: "http://user:pw@127.0.0.1:9/hook" })).toThrow(
      /PEAKWATCH_WEBHOOK_URL.*credentials/s,
    );
    expect(
      loadAlertingConfig({ PEAKWATCH_WEBHOOK_URL: "http://127.0.0.1:9/hook?token=x" }).PEAKWATCH_WEBHOOK_URL,
    ).toBe("http://127.0.0.1:9/hook?token=x");
  });
});
