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

/** Runs `start` with `env` set in process.env (alerting reads its settings there at hub start), then restores it. */
export async function withEnv<T>(env: Record<string, string>, start: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await start();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** JSON calls to a hub's API as one session; a status of 300 or more throws, naming the call and the answer. */
export type HubApi = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<T>;

export function hubApi(url: string, session: { headers: Record<string, string> }): HubApi {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { ...session.headers, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}

/** Puts a shipped threshold rule on a test's time scale: `patch` gets its spec and returns the new one. */
export async function tuneShippedRule(
  api: HubApi,
  name: string,
  patch: (spec: Record<string, unknown> & { query: Record<string, unknown> }) => Record<string, unknown>,
): Promise<void> {
  const { rules } = await api<{ rules: Array<Record<string, unknown> & { name: string; kind: string }> }>(
    "GET",
    "/rules",
  );
  const rule = rules.find((r) => r.name === name);
  if (rule?.kind !== "threshold") throw new Error(`the default ${name} rule is missing`);
  const { id, builtin: _b, createdAt: _c, updatedAt: _u, ...spec } = rule;
  await api(
    "PUT",
    `/rules/${String(id)}`,
    patch(spec as unknown as Record<string, unknown> & { query: Record<string, unknown> }),
  );
}
