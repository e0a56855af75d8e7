import { WebSocket } from "ws";
import type { ServerMessage } from "../../core/live.ts";

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
