import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import type { ProbeResult } from "../../core/probe-result.ts";
import { quietHubEnv } from "./hub.ts";
import { type PeakwatchProcess, startPeakwatch } from "./up.ts";

/** A real HTTP receiver on 127.0.0.1:0 recording every POST body with its arrival time. */
export interface TestReceiver {
  url: string;
  received: Array<{ at: number; path: string; headers: IncomingMessage["headers"]; body: unknown }>;
  /** Requests the script left hanging (never answered), in the same shape. */
  hung: Array<{ at: number; path: string; headers: IncomingMessage["headers"]; body: unknown }>;
  /** Attempts answered, including failures and hangs. */
  attempts: number;
  close(): Promise<void>;
}

/** What to do with attempt number `n` (1-based): answer a status, or hang (never answer). */
export type ReceiverScript = (n: number) => number | "hang";

export async function startReceiver(script: ReceiverScript = () => 200): Promise<TestReceiver> {
  const received: TestReceiver["received"] = [];
  const hung: TestReceiver["hung"] = [];
  const hanging = new Set<ServerResponse>();
  const state = { attempts: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = ++state.attempts;
      const action = script(n);
      const text = Buffer.concat(chunks).toString("utf8");
      const request = {
        at: Date.now(),
        path: req.url ?? "/",
        headers: req.headers,
        body: text ? JSON.parse(text) : null,
      };
      if (action === "hang") {
        hung.push(request);
        hanging.add(res);
        return;
      }
      if (action >= 200 && action < 300) received.push(request);
      res.writeHead(action, { "content-type": "application/json" });
      res.end(action < 300 ? "{}" : JSON.stringify({ error: "scripted failure" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    hung,
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

/** One probe check as the probes process reports it; `ok` false is a failed check. */
export function probeResult(probe: string, ok: boolean, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    id: randomUUID(),
    probe,
    kind: "http",
    region: "local",
    target: "http://127.0.0.1:9/",
    startedAt: Date.now() - 100,
    ok,
    state: ok ? "up" : "down",
    phases: { dns: 0, connect: 1, tls: 0, firstByte: 1, transfer: 1, total: 3 },
    ...extra,
  };
}

/** Reports probe results to a hub as the probes process does (agent token); throws unless stored. */
export async function postProbeResults(
  hub: { url: string; agentHeaders: Record<string, string> },
  results: ProbeResult[],
): Promise<void> {
  const r = await fetch(`${hub.url}/api/v1/ingest/probe-results`, {
    method: "POST",
    headers: { ...hub.agentHeaders, "content-type": "application/json" },
    body: JSON.stringify({ results }),
  });
  if (r.status !== 200) throw new Error(`probe results answered ${r.status}: ${await r.text()}`);
}

/** A real `peakwatch hub` process (bin/peakwatch.js hub) on a free port. */
export interface HubProcess {
  url: string;
  agentHeaders: Record<string, string>;
  process: PeakwatchProcess;
  /** Logs in through the OTP flow, reading the code the hub prints (no SMTP configured). */
  login(email: string): Promise<{ headers: Record<string, string> }>;
  /** Sends `signal` (SIGKILL: a crash) and resolves once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `peakwatch hub` as its own process, as an operator would, with `env` on top of test
 * settings (port 0, loopback, a throwaway data directory, no scraping, no login limits).
 */
export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "pw-hubproc-"));
  const agentToken = randomBytes(16).toString("hex");
  const proc = startPeakwatch(["hub"], {
    PEAKWATCH_HUB_PORT: "0",
    PEAKWATCH_HOST: "127.0.0.1",
    PEAKWATCH_DATA_DIR: dataDir,
    PEAKWATCH_AGENT_TOKEN: agentToken,
    HUB_OTP_SECRET: randomBytes(16).toString("hex"),
    ...quietHubEnv,
    SMTP_URL: "",
    ...env,
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (proc.proc.exitCode === null && proc.proc.signalCode === null) proc.proc.kill(signal);
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = (await proc.waitFor(/hub listening on (http:\/\/\S+)/, 120_000))[1]!;
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  const post = (path: string, body: unknown) =>
    fetch(`${url}/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  return {
    url,
    agentHeaders: { authorization: `Bearer ${agentToken}` },
    process: proc,
    stop,
    async login(email) {
      const from = proc.output().length;
      const requested = await post("/auth/otp/request", { email });
      if (requested.status !== 200) throw new Error(`otp request answered ${requested.status}`);
      const { challengeId } = (await requested.json()) as { challengeId: string };
      const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const code = (
        await proc.waitFor(new RegExp(`login code for ${escaped}: (\\d{6,10})`), 10_000, from)
      )[1];
      const verified = await post("/auth/otp/verify", { challengeId, code });
      if (verified.status !== 200) throw new Error(`otp verify answered ${verified.status}`);
      const cookie = verified.headers.getSetCookie()[0]!.split(";")[0]!;
      const me = await fetch(`${url}/api/v1/auth/me`, { headers: { cookie } });
      const { csrfToken } = (await me.json()) as { csrfToken: string };
      return { headers: { cookie, "x-csrf-token": csrfToken } };
    },
  };
}
