import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerMessage } from "../../core/live.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { makeAlertEvent, makeProbeResult, makeRunReport, makeWindow } from "./fixtures.ts";
import { connectLive, publishUntilCutOff } from "./live-client.ts";

type AlertMessage = Extract<ServerMessage, { type: "alert" }>;
const isAlert = (m: ServerMessage): m is AlertMessage => m.type === "alert";
const isSubscribed = (m: ServerMessage): m is Extract<ServerMessage, { type: "subscribed" }> =>
  m.type === "subscribed";

const alertEvent = makeAlertEvent;

for (const kind of databaseKinds) {
  describe(`[${kind}] live push`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub({
        kind,
        env: { HUB_LIVE_MAX_BUFFER_BYTES: String(256 * 1024), HUB_LIVE_MAX_CLIENTS: "50" },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it("refuses an upgrade without credentials", async () => {
      await expect(connectLive(t.url, {})).rejects.toThrow(/401/);
      await expect(connectLive(t.url, { authorization: "Bearer wrong" })).rejects.toThrow(/401/);
    });

    it("a client disconnected during three alert events resumes with exactly those three", async () => {
      const first = await connectLive(t.url, t.agentHeaders);
      first.send({ type: "subscribe", topics: ["alerts"] });
      await first.waitFor(isSubscribed);
      const seen = await t.hub.alerts.publishAlert(alertEvent(0));
      const delivered = await first.waitFor(isAlert);
      expect(delivered.event.seq).toBe(seen);
      first.ws.close();
      await first.closed;

      const missed = [];
      for (let i = 1; i <= 3; i++) missed.push(await t.hub.alerts.publishAlert(alertEvent(i)));

      const again = await connectLive(t.url, t.agentHeaders);
      again.send({ type: "subscribe", topics: ["alerts"], lastAlertSeq: delivered.event.seq });
      await again.waitFor(isSubscribed);
      const replayed = await again.waitForCount(isAlert, 3);
      expect((replayed as AlertMessage[]).map((m) => m.event.seq)).toEqual(missed);
      expect((replayed as AlertMessage[]).map((m) => m.event.alert.fingerprint)).toEqual([
        "fp-1",
        "fp-2",
        "fp-3",
      ]);

      // Afterwards only new events arrive, each once.
      const later = await t.hub.alerts.publishAlert(alertEvent(4));
      await again.waitForCount(isAlert, 4);
      await new Promise((r) => setTimeout(r, 200));
      expect(again.messages.filter(isAlert).map((m) => m.event.seq)).toEqual([...missed, later]);
      again.ws.close();
    });

    it("events published while a client resumes arrive once, in order, with no gap", async () => {
      const start = await t.hub.alerts.publishAlert(alertEvent(10));
      for (let i = 11; i < 40; i++) await t.hub.alerts.publishAlert(alertEvent(i));
      const client = await connectLive(t.url, t.agentHeaders);
      const publishing = (async () => {
        const seqs = [];
        for (let i = 40; i < 60; i++) seqs.push(await t.hub.alerts.publishAlert(alertEvent(i)));
        return seqs;
      })();
      client.send({ type: "subscribe", topics: ["alerts"], lastAlertSeq: start });
      const last = (await publishing).at(-1)!;
      await client.waitFor((m): m is AlertMessage => isAlert(m) && m.event.seq === last, 10_000);
      const seqs = client.messages.filter(isAlert).map((m) => m.event.seq);
      expect(seqs).toEqual(Array.from({ length: last - start }, (_, i) => start + 1 + i));
      client.ws.close();
    });

    it("pushes a run's second merged across workers to its subscribers", async () => {
      // Only a stored run can be subscribed to (an unknown one is refused like another project's).
      const stored = await fetch(`${t.url}/api/v1/ingest/runs`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify(makeRunReport("live-run")),
      });
      expect(stored.status).toBe(200);
      const client = await connectLive(t.url, t.agentHeaders);
      client.send({ type: "subscribe", topics: ["run:live-run"] });
      await client.waitFor(isSubscribed);
      const second = Math.floor(Date.now() / 1000);
      const windows = [
        makeWindow({ runId: "live-run", step: "browse", worker: "w1", second }, [1000, 2000]),
        makeWindow({ runId: "live-run", step: "browse", worker: "w2", second }, [3000, 4000, 5000]),
        makeWindow({ runId: "other-run", step: "browse", worker: "w1", second }, [1000]),
      ];
      const res = await fetch(`${t.url}/api/v1/ingest/windows`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify({ windows }),
      });
      expect(res.status).toBe(200);
      const message = await client.waitFor(
        (m): m is Extract<ServerMessage, { type: "window" }> => m.type === "window",
        5000,
      );
      expect(message.runId).toBe("live-run");
      expect(message.second).toBe(second);
      expect(message.steps.browse).toMatchObject({ count: 5, workers: 2 });
      expect(message.steps.browse!.p50).toBeCloseTo(3, 1);
      client.ws.close();
    });

    it("pushes probe results to the probes topic", async () => {
      const client = await connectLive(t.url, t.agentHeaders);
      client.send({ type: "subscribe", topics: ["probes"] });
      await client.waitFor(isSubscribed);
      const result = makeProbeResult({ probe: "live-probe" });
      await fetch(`${t.url}/api/v1/ingest/probe-results`, {
        method: "POST",
        headers: { ...t.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify({ results: [result] }),
      });
      const message = await client.waitFor(
        (m): m is Extract<ServerMessage, { type: "probe" }> => m.type === "probe",
      );
      expect(message.result.id).toBe(result.id);
      client.ws.close();
    });

    it("answers a bad message with an error naming the field, and a ping with a pong", async () => {
      const client = await connectLive(t.url, t.agentHeaders);
      client.send({ type: "subscribe", topics: ["nonsense"] });
      const error = await client.waitFor(
        (m): m is Extract<ServerMessage, { type: "error" }> => m.type === "error",
      );
      expect(error.message).toMatch(/topics\[0\]/);
      client.send({ type: "ping" });
      await client.waitFor((m): m is Extract<ServerMessage, { type: "pong" }> => m.type === "pong");
      client.ws.close();
    });

    it("cuts off a client that stops reading and keeps its buffer under the cap", async () => {
      const cap = 256 * 1024;
      const slow = await connectLive(t.url, t.agentHeaders);
      slow.send({ type: "subscribe", topics: ["alerts"] });
      await slow.waitFor(isSubscribed);
      // Stop reading: the kernel buffers fill, then the hub's send buffer would grow.
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const before = t.hub.live.clientCount;
      await publishUntilCutOff(t);
      expect(t.hub.live.clientCount).toBe(before - 1);
      expect(t.hub.live.peakBufferedBytes).toBeLessThanOrEqual(cap);
      const metrics = await t.hub.metrics.registry.getSingleMetricAsString(
        "peakwatch_hub_live_disconnects_total",
      );
      expect(metrics).toMatch(/reason="too_slow"} 1/);
    });
  });
}

describe("live limits", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: { HUB_LIVE_MAX_CLIENTS: "2", HUB_LIVE_HEARTBEAT_SECONDS: "1" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("drops a peer that stops answering pings, and refuses clients past the limit", async () => {
    const dead = await connectLive(t.url, t.agentHeaders, { autoPong: false });
    const healthy = await connectLive(t.url, t.agentHeaders);
    await expect(connectLive(t.url, t.agentHeaders)).rejects.toThrow(/503/);
    await dead.closed;
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    healthy.ws.close();
  });

  it("closes a user's socket with 4001 once the session has ended", async () => {
    const viewer = await t.loginAs("viewer");
    const client = await connectLive(t.url, { cookie: viewer.cookie });
    await fetch(`${t.url}/api/v1/auth/logout`, { method: "POST", headers: viewer.headers });
    expect(await client.closed).toBe(4001);
  });
});
