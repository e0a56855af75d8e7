import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A real HTTP receiver on 127.0.0.1:0 recording every POST body with its arrival time. */
export interface TestReceiver {
  url: string;
  received: Array<{ at: number; path: string; headers: IncomingMessage["headers"]; body: unknown }>;
  /** Attempts answered, including failures and hangs. */
  attempts: number;
  close(): Promise<void>;
}

/** What to do with attempt number `n` (1-based): answer a status, or hang (never answer). */
export type ReceiverScript = (n: number) => number | "hang";

export async function startReceiver(script: ReceiverScript = () => 200): Promise<TestReceiver> {
  const received: TestReceiver["received"] = [];
  const hanging = new Set<ServerResponse>();
  const state = { attempts: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = ++state.attempts;
      const action = script(n);
      if (action === "hang") {
        hanging.add(res);
        return;
      }
      if (action >= 200 && action < 300) {
        const text = Buffer.concat(chunks).toString("utf8");
        received.push({
          at: Date.now(),
          path: req.url ?? "/",
          headers: req.headers,
          body: text ? JSON.parse(text) : null,
        });
      }
      res.writeHead(action, { "content-type": "application/json" });
      res.end(action < 300 ? "{}" : JSON.stringify({ error: "scripted failure" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get attempts() {
      return state.attempts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A real SMTP server (smtp-server) on 127.0.0.1:0 that keeps every message. */
export interface TestSmtpSink {
  /** smtp://127.0.0.1:PORT */
  url: string;
  messages: Array<{ at: number; from: string; to: string[]; raw: string; subject: string }>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<TestSmtpSink> {
  const messages: TestSmtpSink["messages"] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const subject = /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? "";
        messages.push({
          at: Date.now(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` every 50 ms until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
