import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultsResponse } from "../../core/faults.ts";
import { systemClock } from "../../loadgen/clock.ts";
import { FaultTimeline } from "../../loadgen/faults.ts";
import { ADMIN_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

/** A run's fault timeline against the real shop's fault switches. */
describe("a run's fault timeline and switches flipped by hand", () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop("pglite");
  });
  afterAll(async () => {
    await shop?.close();
  });

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${shop.url}/admin/faults${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const state = async (fault: "payment_failure" | "latency") =>
    ((await (await admin("GET", "")).json()) as FaultsResponse).faults[fault]!;
  const timeline = (fault: "payment_failure" | "latency", params: Record<string, unknown>) =>
    new FaultTimeline(
      [{ at: 0, fault, params, duration: 0.3 }],
      shop.url,
      ADMIN_TOKEN,
      systemClock,
      () => {},
    );
  const until = async (check: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; )
      if (await check()) return;
      else await new Promise((r) => setTimeout(r, 50));
    throw new Error("timed out");
  };

  it("puts a switch that was on before the run back as it was when the run clears it", async () => {
    const byHand = await (
      await admin("PUT", "/payment_failure", { enabled: true, percentage: 100, expiresInSeconds: 600 })
    ).json();
    const run = timeline("payment_failure", { percentage: 30 });
    const start = systemClock.now();
    run.start(start, 1);
    await until(async () => (await state("payment_failure")).params.percentage === 30);
    await until(async () => (await state("payment_failure")).params.percentage === 100);
    await run.stop(start);
    const after = await state("payment_failure");
    expect(after).toMatchObject({ enabled: true, params: { percentage: 100 }, expiresAt: byHand.expiresAt });
    expect(run.markers.map((m) => [m.action, m.fault, m.detail])).toEqual([
      ["set", "payment_failure", '{"percentage":30}'],
      ["clear", "payment_failure", 'put back as it was before the run: {"percentage":100}'],
    ]);
    await admin("DELETE", "/payment_failure");
  });

  it("turns off a switch that was off before the run", async () => {
    const run = timeline("latency", { fixedMs: 5 });
    const start = systemClock.now();
    run.start(start, 1);
    await until(async () => (await state("latency")).enabled);
    await until(async () => !(await state("latency")).enabled);
    await run.stop(start);
    expect((await state("latency")).enabled).toBe(false);
    expect(run.markers.map((m) => [m.action, m.detail])).toEqual([
      ["set", '{"fixedMs":5}'],
      ["clear", undefined],
    ]);
  });
});
