import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProbeSchema } from "../../core/probe.ts";
import type { ProbeResult } from "../../core/probe-result.ts";
import { startProbes } from "../../probes/runtime.ts";
import { startServer, type TestServer } from "../helpers/probes.ts";

/** Waits (bounded) until `condition` holds; polling keeps the test quick and steady on a busy machine. */
async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

/** A stand-in hub: serves whatever probe configuration the test sets and accepts results. */
function fakeHub() {
  const state = { config: undefined as string | undefined, auth: [] as string[] };
  const handler: Parameters<typeof startServer>[0] = (req, res) => {
    state.auth.push(String(req.headers.authorization));
    if (req.url === "/api/v1/probes/config") {
      if (state.config === undefined) return res.writeHead(404).end('{"code":"not_found"}');
      return res.writeHead(200, { "content-type": "application/json" }).end(state.config);
    }
    req.resume();
    req.on("end", () => res.writeHead(200).end('{"stored":1}'));
  };
  return { state, handler };
}

describe("probe definitions from the hub", () => {
  const hub = fakeHub();
  let hubServer: TestServer;
  let target: TestServer;
  beforeAll(async () => {
    hubServer = await startServer(hub.handler);
    target = await startServer((_req, res) => res.writeHead(200).end("ok"));
  });
  afterAll(async () => {
    await hubServer.close();
    await target.close();
  });

  it("adds the hub's probes to the local ones, keeps the last good set, and refuses env templates", async () => {
    const logs: string[] = [];
    const results: ProbeResult[] = [];
    const running = await startProbes({
      probes: [ProbeSchema.parse({ kind: "http", name: "local", url: `${target.url}/local`, interval: 200 })],
      region: "test",
      concurrency: 4,
      port: 0,
      hostname: "127.0.0.1",
      hub: { hubUrl: hubServer.url, token: "agent-1", flushIntervalMs: 100, log: (l) => logs.push(l) },
      hubConfigIntervalMs: 100,
      onResult: (r) => results.push(r),
    });
    const names = () => running.scheduler.states().map((s) => s.probe.name);
    try {
      await until(() => logs.includes("probes: the hub serves no probe configuration; using local probes"));
      expect(names()).toEqual(["local"]);

      hub.state.config = JSON.stringify({
        probes: [{ kind: "http", name: "from-hub", url: `${target.url}/hub`, interval: 200 }],
      });
      await until(() => results.some((r) => r.probe === "from-hub" && r.ok));
      expect(names()).toEqual(["local", "from-hub"]);

      hub.state.config = JSON.stringify({ probes: [{ kind: "http", name: "bad", url: "gopher://x" }] });
      await until(() =>
        logs.some((l) => l.includes("hub probe configuration: probes[0].url: must start with http")),
      );
      expect(names()).toEqual(["local", "from-hub"]);

      hub.state.config = JSON.stringify({
        probes: [
          {
            kind: "http",
            name: "leak",
            url: `${target.url}/`,
            headers: { "x-token": "{{env.PEAKWATCH_AGENT_TOKEN}}" },
          },
        ],
      });
      await until(() => logs.includes("probes: hub probe configuration refused: it may not use {{env.…}}"));
      expect(names()).toEqual(["local", "from-hub"]);
      expect(hub.state.auth.every((a) => a === "Bearer agent-1")).toBe(true);
    } finally {
      await running.close();
    }
  });
});
