import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../../core/alert.ts";
import { LiveConnection } from "./live-connection.ts";
import type { LiveMessage } from "./messages.ts";

/** A WebSocket stand-in the test drives by hand: open, deliver, drop. */
class FakeSocket extends EventTarget {
  readyState = 0;
  readonly sent: unknown[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.drop(1000);
  }
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  deliver(message: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
  drop(code = 1006): void {
    this.readyState = 3;
    const event = new Event("close") as Event & { code: number };
    event.code = code;
    this.dispatchEvent(event);
  }
}

const alertEvent = (seq: number): AlertEvent => ({
  seq,
  kind: "firing",
  at: seq,
  alert: {
    fingerprint: "f",
    rule: "PaymentErrors",
    state: "firing",
    severity: "critical",
    labels: {},
    annotations: {},
    value: null,
    activeAt: null,
    firedAt: null,
    resolvedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    silencedBy: [],
    inhibited: false,
  },
});

function setup() {
  const sockets: FakeSocket[] = [];
  const connection = new LiveConnection({
    url: "ws://hub/api/v1/live",
    minDelayMs: 1,
    maxDelayMs: 2,
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  const received: LiveMessage[] = [];
  connection.onMessage((m) => received.push(m));
  return { connection, sockets, received };
}

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe("LiveConnection", () => {
  it("resubscribes after a drop and resumes alerts after the last seq it saw", async () => {
    const { connection, sockets, received } = setup();
    connection.subscribe(["alerts", "run:r1"]);
    connection.start();
    sockets[0]!.open();
    expect(sockets[0]!.sent).toEqual([{ type: "subscribe", topics: ["alerts", "run:r1"] }]);
    sockets[0]!.deliver({ type: "alert", event: alertEvent(5) });
    sockets[0]!.drop();
    expect(connection.status).toBe("reconnecting");

    await waitFor(() => sockets.length === 2);
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: "subscribe", topics: ["alerts", "run:r1"], lastAlertSeq: 5 }]);
    expect(connection.generation).toBe(2);
    // The hub replays from after seq 5; a duplicate of 5 is dropped, 6 is delivered once.
    sockets[1]!.deliver({ type: "alert", event: alertEvent(5) });
    sockets[1]!.deliver({ type: "alert", event: alertEvent(6) });
    expect(received.map((m) => (m.type === "alert" ? m.event.seq : -1))).toEqual([5, 6]);
    connection.stop();
  });

  it("delivers a replayed event that arrives after a newer one, once", () => {
    const { connection, sockets, received } = setup();
    connection.subscribe(["alerts"]);
    connection.start();
    sockets[0]!.open();
    for (const seq of [7, 4, 5, 7, 6]) sockets[0]!.deliver({ type: "alert", event: alertEvent(seq) });
    expect(received.map((m) => (m.type === "alert" ? m.event.seq : -1))).toEqual([7, 4, 5, 6]);
    expect(connection.lastAlertSeq).toBe(7);
    connection.stop();
  });

  it("unsubscribes a topic only when its last follower leaves", () => {
    const { connection, sockets } = setup();
    connection.start();
    sockets[0]!.open();
    const first = connection.subscribe(["probes"]);
    const second = connection.subscribe(["probes"]);
    first();
    expect(connection.wants("probes")).toBe(true);
    second();
    expect(connection.wants("probes")).toBe(false);
    expect(sockets[0]!.sent).toEqual([
      { type: "subscribe", topics: ["probes"] },
      { type: "unsubscribe", topics: ["probes"] },
    ]);
    connection.stop();
  });

  it("stops reconnecting when the hub says the session ended (4001)", async () => {
    const { connection, sockets } = setup();
    connection.start();
    sockets[0]!.open();
    sockets[0]!.drop(4001);
    await new Promise((r) => setTimeout(r, 30));
    expect(sockets).toHaveLength(1);
    expect(connection.status).toBe("closed");
  });
});
