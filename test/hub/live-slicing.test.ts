import { Socket } from "node:net";
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

/** Counts the hub's socket writes (syscall batches: _write, or _writev for corked chunks) to the client on `port`. */
function countWrites(port: number): { readonly count: number; restore(): void } {
  type WriteFn = (this: Socket, ...args: unknown[]) => unknown;
  const proto = Socket.prototype as unknown as { _write: WriteFn; _writev: WriteFn };
  const original = { _write: proto._write, _writev: proto._writev };
  let count = 0;
  for (const name of ["_write", "_writev"] as const) {
    proto[name] = function (this: Socket, ...args: unknown[]) {
      if (this.remotePort === port) count++;
      return original[name].apply(this, args);
    };
  }
  return {
    get count() {
      return count;
    },
    restore() {
      Object.assign(proto, original);
    },
  };
}

const localPort = (c: TestLiveClient): number => (c.ws as unknown as { _socket: Socket })._socket.localPort!;

function probe(name: string, pad = 0): ServerMessage {
  return { type: "probe", result: makeProbeResult({ probe: `slice-${name}`, target: "x".repeat(pad) }) };
}

async function histogramCount(t: TestHub, name: string): Promise<number> {
  const text = await t.hub.metrics.registry.getSingleMetricAsString(name);
  return Number(/_count\S* (\d+)/.exec(text)?.[1] ?? 0);
}

async function drained(t: TestHub): Promise<void> {
  for (const deadline = Date.now() + 10_000; t.hub.live.queuedSends > 0 && Date.now() < deadline; )
    await new Promise((r) => setTimeout(r, 20));
  expect(t.hub.live.queuedSends).toBe(0);
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

    async function subscribed(count: number, topics: string[]): Promise<TestLiveClient[]> {
      const clients = await Promise.all(
        Array.from({ length: count }, () => connectLive(t.url, t.agentHeaders)),
      );
      for (const c of clients) {
        c.send({ type: "subscribe", topics });
        await c.waitFor(isSubscribed);
        c.messages.length = 0;
      }
      return clients;
    }

    it("sends a backlog to each client in a few writes (lookahead), each message once and in order", async () => {
      const clients = await subscribed(2, ["probes"]);
      const writes = clients.map((c) => countWrites(localPort(c)));
      const broadcastsBefore = await histogramCount(t, "peakwatch_hub_live_broadcast_seconds");
      const n = 130;
      try {
        // Two sends a job: the first goes out at once, the rest queue (one send per turn at slice 0).
        for (let i = 0; i < n; i++) t.hub.live.broadcast("probes", probe(String(i)), DEFAULT_PROJECT_ID);
        expect(t.hub.live.queuedSends).toBeGreaterThan(n);
        for (const c of clients) await c.waitForCount((m) => m.type === "probe", n, 10_000);
        await drained(t);
      } finally {
        for (const w of writes) w.restore();
      }
      const expected = Array.from({ length: n }, (_, i) => `p${i}`);
      for (const c of clients) expect(labels(c)).toEqual(expected);
      // One send per turn without lookahead: 130 writes a client; with it, a write per 65 messages.
      for (const w of writes) expect(w.count).toBeLessThanOrEqual(6);
      // Jobs sent ahead are reported when the queue empties, not lost with it.
      expect((await histogramCount(t, "peakwatch_hub_live_broadcast_seconds")) - broadcastsBefore).toBe(n);
      for (const c of clients) c.ws.close();
    });

    it("sends ahead only what a later job holds for the client (its topics, its project)", async () => {
      const [probesOnly, both] = await subscribed(2, ["probes"]);
      both!.send({ type: "subscribe", topics: ["probes", "runs"] });
      await both!.waitFor(isSubscribed);
      both!.messages.length = 0;
      const n = 60;
      for (let i = 0; i < n; i++) {
        t.hub.live.broadcast("probes", probe(String(i)), DEFAULT_PROJECT_ID);
        t.hub.live.broadcast("runs", probe(`r${i}`), DEFAULT_PROJECT_ID);
        t.hub.live.broadcast("probes", probe(`x${i}`), "another-project");
      }
      await both!.waitForCount((m) => m.type === "probe", 2 * n, 10_000);
      await probesOnly!.waitForCount((m) => m.type === "probe", n, 10_000);
      await drained(t);
      // A reply after the backlog: nothing more was on its way.
      for (const c of [probesOnly!, both!]) {
        c.send({ type: "ping" });
        await c.waitFor((m): m is ServerMessage => m.type === "pong", 10_000);
      }
      expect(labels(probesOnly!)).toEqual([...Array.from({ length: n }, (_, i) => `p${i}`), "pong"]);
      expect(labels(both!)).toEqual([
        ...Array.from({ length: n }, (_, i) => [`p${i}`, `pr${i}`]).flat(),
        "pong",
      ]);
      for (const c of [probesOnly!, both!]) c.ws.close();
    });

    it("never lets a fast client's batch pass the coalescing threshold or the buffer cap", async () => {
      const clients = await subscribed(2, ["probes"]);
      const droppedBefore = await t.hub.metrics.registry.getSingleMetricAsString(
        "peakwatch_hub_live_disconnects_total",
      );
      t.hub.live.peakBufferedBytes = 0;
      // 65 messages of ~4 KB corked at once would be ~270 KB: past the 256 KB cap, far past 64 KB.
      const n = 130;
      for (let i = 0; i < n; i++) t.hub.live.broadcast("probes", probe(String(i), 4000), DEFAULT_PROJECT_ID);
      for (const c of clients) await c.waitForCount((m) => m.type === "probe", n, 10_000);
      await drained(t);
      expect(t.hub.live.peakBufferedBytes).toBeLessThanOrEqual(64 * 1024);
      expect(
        await t.hub.metrics.registry.getSingleMetricAsString("peakwatch_hub_live_disconnects_total"),
      ).toBe(droppedBefore);
      for (const c of clients) expect(labels(c)).toEqual(Array.from({ length: n }, (_, i) => `p${i}`));
      for (const c of clients) c.ws.close();
    });

    it("a client that unsubscribes mid-backlog gets the messages up to then, in order, and no more", async () => {
      const [leaving, staying] = await subscribed(2, ["probes"]);
      leaving!.ws.once("message", () => leaving!.send({ type: "unsubscribe", topics: ["probes"] }));
      const n = 1500;
      for (let i = 0; i < n; i++) t.hub.live.broadcast("probes", probe(String(i)), DEFAULT_PROJECT_ID);
      await staying!.waitForCount((m) => m.type === "probe", n, 20_000);
      await drained(t);
      leaving!.send({ type: "ping" });
      await leaving!.waitFor((m): m is ServerMessage => m.type === "pong", 10_000);
      const got = labels(leaving!);
      expect(got.at(-1)).toBe("pong");
      const probes = got.slice(0, -1);
      // The batches already written reach it; the jobs behind the unsubscribe skip it.
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.length).toBeLessThan(n);
      expect(probes).toEqual(Array.from({ length: probes.length }, (_, i) => `p${i}`));
      for (const c of [leaving!, staying!]) c.ws.close();
    });

    it("a client closing mid-backlog leaves the others' messages whole and the queue empty", async () => {
      const [closing, ...others] = await subscribed(3, ["probes"]);
      const before = t.hub.live.clientCount;
      closing!.ws.once("message", () => closing!.ws.terminate());
      const n = 500;
      for (let i = 0; i < n; i++) t.hub.live.broadcast("probes", probe(String(i)), DEFAULT_PROJECT_ID);
      for (const c of others) await c.waitForCount((m) => m.type === "probe", n, 10_000);
      await drained(t);
      for (const deadline = Date.now() + 5000; t.hub.live.clientCount >= before && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 20));
      expect(t.hub.live.clientCount).toBe(before - 1);
      for (const c of others) expect(labels(c)).toEqual(Array.from({ length: n }, (_, i) => `p${i}`));
      for (const c of others) c.ws.close();
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
