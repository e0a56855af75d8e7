import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerMessage } from "../../core/live.ts";
import { DEFAULT_PROJECT_ID } from "../../core/names.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { makeAlertEvent, makeProbeResult } from "./fixtures.ts";
import { connectLive, publishUntilCutOff, type TestLiveClient } from "./live-client.ts";

/**
 * Broadcasts sent in slices (HUB_LIVE_SLICE_MS=0: one send per event-loop turn, so a handful of
 * real sockets exercises what 10,000 do at 10 ms): each client still gets broadcasts, direct
 * replies and replayed alerts in the order they were made, and a slow client is still cut off.
 */

const isSubscribed = (m: ServerMessage): m is Extract<ServerMessage, { type: "subscribed" }> =>
  m.type === "subscribed";
const isAlert = (m: ServerMessage): m is Extract<ServerMessage, { type: "alert" }> => m.type === "alert";

const alertEvent = makeAlertEvent;

/** What a client saw, as short labels: `p<n>` a probe broadcast, `pong`, `error`, `subscribed`. */
function labels(client: TestLiveClient): string[] {
  return client.messages.map((m) => (m.type === "probe" ? `p${m.result.probe.slice(6)}` : m.type));
}

for (const kind of databaseKinds) {
  describe(`[${kind}] live sends in slices`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub({
        kind,
        env: {
          HUB_LIVE_SLICE_MS: "0",
          HUB_LIVE_MAX_BUFFER_BYTES: String(256 * 1024),
          HUB_LIVE_MAX_CLIENTS: "50",
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it("keeps broadcasts and interleaved replies (pong, error, subscribed) in order per client", async () => {
      const clients = await Promise.all(Array.from({ length: 4 }, () => connectLive(t.url, t.agentHeaders)));
      for (const c of clients) {
        c.send({ type: "subscribe", topics: ["probes"] });
        await c.waitFor(isSubscribed);
        c.messages.length = 0;
      }
      const rounds = 5;
      const perRound = 40;
      const replies = ["pong", "error", "subscribed"] as const;
      let sentTurns = 0;
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < perRound; i++) {
          const n = round * perRound + i;
          t.hub.live.broadcast(
            "probes",
            { type: "probe", result: makeProbeResult({ probe: `slice-${n}` }) },
            DEFAULT_PROJECT_ID,
          );
        }
        // 160 sends made in one turn: with a budget of 0 all but the first wait in the queue.
        if (t.hub.live.queuedSends > 0) sentTurns++;
        const reply = replies[round % replies.length]!;
        for (const c of clients) {
          if (reply === "pong") c.send({ type: "ping" });
          else if (reply === "error") c.send({ type: "nonsense" });
          else c.send({ type: "subscribe", topics: ["probes"] });
        }
        for (const c of clients)
          await c.waitForCount((m) => m.type === reply, Math.floor(round / replies.length) + 1, 10_000);
      }
      expect(sentTurns).toBe(rounds);
      for (const c of clients) {
        await c.waitForCount((m) => m.type === "probe", rounds * perRound, 10_000);
        // The reply to a message sent after a round's broadcasts were made comes after all of them.
        const expected: string[] = [];
        for (let round = 0; round < rounds; round++) {
          for (let i = 0; i < perRound; i++) expected.push(`p${round * perRound + i}`);
          expected.push(replies[round % replies.length]!);
        }
        expect(labels(c)).toEqual(expected);
        c.ws.close();
      }
      for (const deadline = Date.now() + 5000; t.hub.live.queuedSends > 0 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 20));
      expect(t.hub.live.queuedSends).toBe(0);
    });

    it("a client resuming while alerts are sent in slices gets each one once, in seq order", async () => {
      const watcher = await connectLive(t.url, t.agentHeaders);
      watcher.send({ type: "subscribe", topics: ["alerts"] });
      await watcher.waitFor(isSubscribed);
      const first = await t.hub.alerts.publishAlert(alertEvent(0));
      const resuming = await connectLive(t.url, t.agentHeaders);
      const published = [first];
      // The resume's replay reads the log while more alerts are published and queued behind it.
      resuming.send({ type: "subscribe", topics: ["alerts"], lastAlertSeq: first - 1 });
      for (let n = 1; n < 30; n++) published.push(await t.hub.alerts.publishAlert(alertEvent(n)));
      await resuming.waitFor(isSubscribed, 10_000);
      await resuming.waitForCount(isAlert, published.length, 10_000);
      await watcher.waitForCount(isAlert, published.length, 10_000);
      for (const c of [resuming, watcher]) {
        expect(c.messages.filter(isAlert).map((m) => m.event.seq)).toEqual(published);
        c.ws.close();
      }
    });

    it("still cuts off a client that stops reading, while the others get every alert in order", async () => {
      const cap = 256 * 1024;
      // The earlier tests' clients are gone, so the count below drops only for the slow one.
      for (const deadline = Date.now() + 5000; t.hub.live.clientCount > 0 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 20));
      const reader = await connectLive(t.url, t.agentHeaders);
      const slow = await connectLive(t.url, t.agentHeaders);
      for (const c of [reader, slow]) {
        c.send({ type: "subscribe", topics: ["alerts"] });
        await c.waitFor(isSubscribed);
      }
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const before = t.hub.live.clientCount;
      const published = await publishUntilCutOff(t);
      expect(t.hub.live.clientCount).toBe(before - 1);
      expect(t.hub.live.peakBufferedBytes).toBeLessThanOrEqual(cap);
      const metrics = await t.hub.metrics.registry.getSingleMetricAsString(
        "peakwatch_hub_live_disconnects_total",
      );
      expect(metrics).toMatch(/reason="too_slow"} 1/);
      await reader.waitForCount(isAlert, published.length, 10_000);
      expect(reader.messages.filter(isAlert).map((m) => m.event.seq)).toEqual(published);
      reader.ws.close();
    });
  });
}
