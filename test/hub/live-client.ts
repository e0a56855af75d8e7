import { WebSocket } from "ws";
import type { ServerMessage } from "../../core/live.ts";
import type { TestHub } from "../helpers/hub.ts";
import { makeAlertEvent } from "./fixtures.ts";

/** A test client of the hub's live socket that records every message. */
export interface TestLiveClient {
  ws: WebSocket;
  messages: ServerMessage[];
  send(message: unknown): void;
  /** Resolves with the first recorded message (from `from` on) matching `match`; rejects after `timeoutMs`. */
  waitFor<T extends ServerMessage>(
    match: (m: ServerMessage) => m is T,
    timeoutMs?: number,
    from?: number,
  ): Promise<T>;
  waitForCount(
    match: (m: ServerMessage) => boolean,
    count: number,
    timeoutMs?: number,
  ): Promise<ServerMessage[]>;
  closed: Promise<number>;
}

export function connectLive(
  hubUrl: string,
  headers: Record<string, string>,
  options: { autoPong?: boolean } = {},
): Promise<TestLiveClient> {
  const ws = new WebSocket(`${hubUrl.replace(/^http/, "ws")}/api/v1/live`, {
    headers,
    autoPong: options.autoPong ?? true,
  });
  const messages: ServerMessage[] = [];
  const listeners = new Set<() => void>();
  ws.on("message", (data) => {
    messages.push(JSON.parse(data.toString()) as ServerMessage);
    for (const l of listeners) l();
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  const poll = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const done = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        listeners.delete(done);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(done);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages).slice(0, 500)}`));
      }, timeoutMs);
      listeners.add(done);
      done();
    });
  const client: TestLiveClient = {
    ws,
    messages,
    send: (message) => ws.send(JSON.stringify(message)),
    waitFor: (match, timeoutMs = 5000, from = 0) =>
      poll(() => messages.slice(from).find(match), timeoutMs, "a matching message") as never,
    waitForCount: (match, count, timeoutMs = 5000) =>
      poll(
        () => {
          const found = messages.filter(match);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        `${count} matching messages`,
      ),
    closed,
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(client));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/**
 * Publishes 60 KB alerts (at most 1500, 30 s) until the hub has one client fewer than now (a
 * paused client cut off); resolves to their seqs. A publish can resolve without the event loop
 * turning (PGlite in this thread), and the hub sends in slices across turns (HUB_LIVE_SLICE_MS):
 * each publish waits for them, as real ingest would.
 */
export async function publishUntilCutOff(t: TestHub): Promise<number[]> {
  const before = t.hub.live.clientCount;
  const published: number[] = [];
  const deadline = Date.now() + 30_000;
  while (t.hub.live.clientCount >= before && published.length < 1500 && Date.now() < deadline) {
    published.push(await t.hub.alerts.publishAlert(makeAlertEvent(published.length, 60_000)));
    while (t.hub.live.queuedSends > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  }
  return published;
}
