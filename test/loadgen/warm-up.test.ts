import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WARM_UP_HEADER } from "../../loadgen/http-client.ts";
import { getProfile, runInProcess } from "../helpers/loadgen.ts";

const now = () => performance.timeOrigin + performance.now();

/** A bare target that records when each connection opened and when each request came. */
async function recordingTarget() {
  const connections: number[] = [];
  const requests: Array<{ at: number; path: string; warmUp: boolean }> = [];
  const server: Server = createServer((req, res) => {
    requests.push({ at: now(), path: req.url ?? "", warmUp: req.headers[WARM_UP_HEADER] === "1" });
    req.resume();
    res.end("ok");
  });
  server.on("connection", () => connections.push(now()));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("open model: warm-up before the first arrival", () => {
  let target: Awaited<ReturnType<typeof recordingTarget>> | undefined;
  afterEach(async () => target?.close());

  it("opens every connection before the start instant and counts none of the warm-up", async () => {
    target = await recordingTarget();
    const profile = getProfile({
      journeys: [{ name: "hit", steps: [{ name: "get", path: "/hit" }] }],
      stages: [{ duration: "2s", rate: 100 }],
      executor: { connections: 8, maxVUs: 100 },
    });
    const outcome = await runInProcess(profile, target.url);
    const startedAt = outcome.summary.startedAt;
    expect(outcome.warmUp).toMatchObject({ connections: 8, answered: 8 });
    // Each warm-up request needed its own connection: all were open before the first arrival.
    expect(target.connections.length).toBe(8);
    for (const at of target.connections) expect(at).toBeLessThan(startedAt);
    const warmUps = target.requests.filter((r) => r.warmUp);
    const hits = target.requests.filter((r) => !r.warmUp && r.path === "/hit");
    expect(warmUps).toHaveLength(8);
    for (const r of warmUps) expect(r.at).toBeLessThan(startedAt);
    expect(hits).toHaveLength(200);
    expect(outcome.requests).toBe(200);
    expect(outcome.summary.steps.get?.count).toBe(200);
  });

  it("reports its own scheduling lag for every arrival it started on its own", async () => {
    target = await recordingTarget();
    const profile = getProfile({
      stages: [{ duration: "2s", rate: 200 }],
      executor: { connections: 8, maxVUs: 200 },
    });
    const outcome = await runInProcess(profile, target.url);
    const lag = outcome.schedulingLag!;
    expect(lag.count).toBe(400);
    // Lag is a delay, never negative, and a figure of its own (ms).
    expect(lag.p50).toBeGreaterThanOrEqual(0);
    expect(lag.max).toBeGreaterThanOrEqual(lag.p99);
  });
});
