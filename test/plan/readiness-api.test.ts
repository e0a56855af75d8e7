import { afterAll, beforeAll, expect, it } from "vitest";
import type { ReadinessView } from "../../core/api/readiness.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { measurement } from "./measurement.ts";

describeEachDatabase("readiness API", [], (_get, kind) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ kind });
  });
  afterAll(async () => {
    await hub?.close();
  });

  const post = (body: unknown, headers = hub.agentHeaders) =>
    fetch(`${hub.url}/api/v1/readiness/measurements`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("keeps measurements per target over time and shows the latest verdict first", async () => {
    const older = measurement({
      measuredAt: "2026-11-01T09:00:00.000Z",
      capacityJourneys: 180,
      knee: { rate: 190, slo: "p95(checkout)<800ms", step: "checkout", value: "950.0 ms" },
    });
    expect((await post(older)).status).toBe(201);
    const created = await post(measurement());
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      ready: true,
      verdict: "Ready: capacity 420 journeys/s, 1.6× the planned peak",
    });
    expect(
      (await post(measurement({ target: "shop-prod", measuredAt: "2026-11-21T10:00:00.000Z" }))).status,
    ).toBe(201);

    const viewer = await hub.loginAs("viewer");
    const r = await fetch(`${hub.url}/api/v1/readiness`, { headers: viewer.headers });
    expect(r.status).toBe(200);
    const view = (await r.json()) as ReadinessView;
    expect(view.targets.map((t) => t.target)).toEqual(["shop-prod", "shop-staging"]);
    const staging = view.targets[1]!;
    expect(staging.history.map((h) => h.capacityJourneys)).toEqual([420, 180]);
    expect(staging.history[1]).toMatchObject({
      ready: false,
      verdict: "Not ready: checkout p95 breaks at 0.7× the planned peak",
    });
    expect(staging.latest.steps.map((s) => s.runId)).toEqual(["cap-1-s1", "cap-1-s2", "cap-1-s3"]);
  });

  it("refuses a bad measurement with the field named, and stores nothing", async () => {
    const r = await post({ ...measurement({ target: "bad-one" }), capacityJourneys: -1 });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/^body\.capacityJourneys: /);
    const viewer = await hub.loginAs("viewer");
    const view = (await (
      await fetch(`${hub.url}/api/v1/readiness?target=bad-one`, { headers: viewer.headers })
    ).json()) as ReadinessView;
    expect(view.targets).toEqual([]);
  });

  it("takes reports from agents and engineers, not viewers or strangers", async () => {
    const viewer = await hub.loginAs("viewer");
    expect((await post(measurement(), viewer.headers)).status).toBe(403);
    expect((await post(measurement(), {})).status).toBe(401);
    const engineer = await hub.loginAs("engineer");
    expect((await post(measurement({ target: "by-hand" }), engineer.headers)).status).toBe(201);
  });
});
