import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ProbeResult } from "../core/probe-result.ts";
import { Reporter, type ReporterOptions } from "./reporter.ts";

const result = (n: number): ProbeResult => ({
  id: randomUUID(),
  probe: `p${n}`,
  kind: "http",
  region: "local",
  target: "http://127.0.0.1/",
  startedAt: n,
  ok: true,
  state: "up",
  phases: { dns: 0, connect: 1, tls: 0, firstByte: 1, transfer: 1, total: 3 },
});

/** A fake hub: answers with `answer(call)`; records what it stored by id. */
function fakeHub(answer: (call: number) => number | "throw") {
  const stored = new Map<string, number>();
  const calls: Array<{ auth: string | null; ids: string[] }> = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as { results: ProbeResult[] };
    calls.push({ auth: new Headers(init.headers).get("authorization"), ids: body.results.map((r) => r.id) });
    const status = answer(calls.length);
    if (status === "throw") throw new TypeError("fetch failed");
    if (status < 300) for (const r of body.results) stored.set(r.id, (stored.get(r.id) ?? 0) + 1);
    return new Response(status < 300 ? '{"stored":1}' : '{"code":"x"}', { status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, stored, calls };
}

const options = (fetch: typeof globalThis.fetch, over: Partial<ReporterOptions> = {}): ReporterOptions => ({
  hubUrl: "http://hub.invalid",
  token: "agent-token",
  fetch,
  flushIntervalMs: 10,
  initialBackoffMs: 10,
  maxBackoffMs: 40,
  log: () => {},
  ...over,
});

const until = async (condition: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
};

describe("Reporter", () => {
  it("sends buffered results in one batch with the agent token", async () => {
    const hub = fakeHub(() => 200);
    const reporter = new Reporter(options(hub.fetch));
    for (let i = 0; i < 5; i++) reporter.push(result(i));
    reporter.start();
    await until(() => reporter.stats.sent === 5);
    await reporter.stop();
    expect(hub.calls).toHaveLength(1);
    expect(hub.calls[0]!.auth).toBe("Bearer agent-token");
  });

  it("keeps results while the hub is down and delivers each once, in order, when it is back", async () => {
    const hub = fakeHub((call) => (call <= 4 ? "throw" : call <= 6 ? 503 : 200));
    const reporter = new Reporter(options(hub.fetch, { batchSize: 3 }));
    reporter.start();
    const pushed: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = result(i);
      pushed.push(r.id);
      reporter.push(r);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(() => reporter.stats.sent === 10);
    await reporter.stop();
    expect([...hub.stored.keys()]).toEqual(pushed);
    expect([...hub.stored.values()].every((n) => n === 1)).toBe(true);
    expect(reporter.stats).toMatchObject({ sent: 10, dropped: 0, buffered: 0, failures: 6 });
  });

  it("drops the oldest results beyond its bound and counts them", async () => {
    const hub = fakeHub(() => "throw");
    const lines: string[] = [];
    const reporter = new Reporter(options(hub.fetch, { maxBuffered: 4, log: (l) => lines.push(l) }));
    const pushed = Array.from({ length: 10 }, (_, i) => result(i));
    for (const r of pushed) reporter.push(r);
    expect(reporter.stats).toMatchObject({ buffered: 4, dropped: 6 });
    expect(lines).toEqual(["probes: result buffer full (4): dropping the oldest results"]);
    const later = fakeHub(() => 200);
    // A fresh reporter shows the kept ones are the newest.
    const r2 = new Reporter(options(later.fetch, { maxBuffered: 4 }));
    for (const r of pushed) r2.push(r);
    r2.start();
    await until(() => r2.stats.sent === 4);
    await r2.stop();
    expect([...later.stored.keys()]).toEqual(pushed.slice(6).map((r) => r.id));
  });

  it("does not retry a batch the hub refuses as invalid", async () => {
    const hub = fakeHub(() => 400);
    const lines: string[] = [];
    const reporter = new Reporter(options(hub.fetch, { log: (l) => lines.push(l) }));
    reporter.push(result(1));
    reporter.start();
    await until(() => reporter.stats.rejected === 1);
    await new Promise((r) => setTimeout(r, 50));
    await reporter.stop();
    expect(hub.calls).toHaveLength(1);
    expect(lines[0]).toMatch(/hub refused 1 probe results \(400\)/);
  });

  it("flushes what is left when stopped", async () => {
    const hub = fakeHub(() => 200);
    const reporter = new Reporter(options(hub.fetch, { flushIntervalMs: 60_000 }));
    reporter.start();
    await new Promise((r) => setTimeout(r, 20));
    reporter.push(result(1));
    await reporter.stop();
    expect(hub.stored.size).toBe(1);
  });

  it("counts a batch in flight as not yet delivered", async () => {
    let answer: (r: Response) => void = () => {};
    const fetch = (() =>
      new Promise<Response>((resolve) => (answer = resolve))) as unknown as typeof globalThis.fetch;
    const reporter = new Reporter(options(fetch));
    reporter.push(result(1));
    reporter.start();
    await until(() => reporter.stats.failures === 0 && reporter.stats.buffered === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(reporter.stats).toMatchObject({ buffered: 1, sent: 0 });
    answer(new Response("{}", { status: 200 }));
    await until(() => reporter.stats.sent === 1);
    expect(reporter.stats.buffered).toBe(0);
    await reporter.stop();
  });
});
