import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeHistogram, newHistogram } from "../../core/histogram.ts";
import { type Window, windowKey } from "../../core/window.ts";
import { HubOutput } from "../../loadgen/outputs/hub.ts";

const latency = encodeHistogram(newHistogram());
const win = (second: number): Window => ({
  runId: "r",
  step: "get",
  worker: "w0",
  second,
  count: 1,
  errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
  bytes: 0,
  targetRate: 0,
  achievedRate: 0,
  dropped: 0,
  latency,
});

/** A stand-in hub that upserts windows by key and can be told to fail. */
async function fakeHub() {
  const stored = new Map<string, Window>();
  let posts = 0;
  let failing = false;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      posts++;
      if (failing) {
        res.statusCode = 503;
        return res.end("{}");
      }
      if (req.url === "/api/v1/ingest/windows") {
        for (const w of (JSON.parse(body) as { windows: Window[] }).windows) stored.set(windowKey(w), w);
      }
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stored,
    posts: () => posts,
    fail: (on: boolean) => {
      failing = on;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("HubOutput", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), "pw-hubout-"));
    dirs.push(d);
    return d;
  };

  it("spools while the hub fails and replays everything once it answers", async () => {
    const hub = await fakeHub();
    const dir = dataDir();
    const out = new HubOutput({
      hubUrl: hub.url,
      token: "t",
      dataDir: dir,
      maxSpoolBytes: 1e7,
      batchSize: 2,
    });
    hub.fail(true);
    out.accept([win(1), win(2), win(3)]);
    await out.flushOnce();
    expect(out.backlog).toBeGreaterThan(0);
    hub.fail(false);
    out.accept([win(4)]);
    const { pending } = await out.close(Date.now() + 10_000);
    expect(pending).toBe(0);
    expect([...hub.stored.keys()].sort()).toEqual(["r|get|w0|1", "r|get|w0|2", "r|get|w0|3", "r|get|w0|4"]);
    await hub.close();
  });

  it("a later output against the same hub replays what an earlier one left on disk", async () => {
    const hub = await fakeHub();
    const dir = dataDir();
    hub.fail(true);
    const first = new HubOutput({ hubUrl: hub.url, token: "t", dataDir: dir, maxSpoolBytes: 1e7 });
    first.accept([win(10), win(11)]);
    expect((await first.close(Date.now() + 300)).pending).toBeGreaterThan(0);
    hub.fail(false);
    const second = new HubOutput({ hubUrl: hub.url, token: "t", dataDir: dir, maxSpoolBytes: 1e7 });
    await second.flushOnce();
    expect([...hub.stored.keys()].sort()).toEqual(["r|get|w0|10", "r|get|w0|11"]);
    await hub.close();
  });

  it("keeps the spool bounded, discarding (and counting) the oldest batches", async () => {
    const dir = dataDir();
    // Nothing listens on this port: every post fails.
    const out = new HubOutput({
      hubUrl: "http://127.0.0.1:9",
      token: "t",
      dataDir: dir,
      maxSpoolBytes: 4000,
      batchSize: 5,
    });
    for (let s = 0; s < 100; s++) out.accept([win(s)]);
    await out.close(Date.now() + 100);
    expect(out.discarded).toBeGreaterThan(0);
    expect(out.discarded % 5).toBe(0);
  });
});
