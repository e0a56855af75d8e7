import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { mergeEncoded } from "../../core/histogram.ts";
import { JOURNEY_STEP, type Window } from "../../core/window.ts";
import { getProfile, runInProcess } from "../helpers/loadgen.ts";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A target whose answers `handle` decides, once the request's body has been read. */
async function target(handle: Handler) {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => handle(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const sum = (windows: Window[], step: string, f: (w: Window) => number) =>
  windows.filter((w) => w.step === step).reduce((n, w) => n + f(w), 0);

describe("open model: journeys of plain request steps", () => {
  let t: Awaited<ReturnType<typeof target>> | undefined;
  afterEach(async () => t?.close());

  it("keeps each user's cookies, sends JSON bodies, thinks between steps and measures a step from its intended start", async () => {
    let login = 0;
    t = await target((req, body, res) => {
      if (req.url === "/login") {
        res.setHeader("set-cookie", `sid=${req.headers["x-forwarded-for"]}-${++login}; Path=/`);
        return res.end("ok");
      }
      // The cart answers 201 only to the user its cookie names, with the JSON it was sent.
      const sid = /sid=([^;]+)/.exec(req.headers.cookie ?? "")?.[1] ?? "";
      const ok =
        sid.startsWith(`${req.headers["x-forwarded-for"]}-`) &&
        req.headers["content-type"] === "application/json" &&
        JSON.parse(body).sku === "a";
      res.statusCode = ok ? 201 : 400;
      res.end(ok ? "added" : "no");
    });
    const profile = getProfile({
      journeys: [
        {
          name: "shop",
          thinkTime: { min: "1500ms", max: "1600ms" },
          steps: [
            { name: "login", path: "/login" },
            { name: "add", method: "POST", path: "/cart", body: { sku: "a" }, expectStatus: [201] },
          ],
        },
      ],
      stages: [{ duration: "1s", rate: 20 }],
      executor: { connections: 4, maxVUs: 50 },
    });
    const outcome = await runInProcess(profile, t.url);
    const { windows } = outcome;
    expect(sum(windows, "login", (w) => w.count)).toBe(20);
    expect(sum(windows, "add", (w) => w.count)).toBe(20);
    expect(sum(windows, "add", (w) => Object.values(w.causes ?? {}).reduce((n, c) => n + c.count, 0))).toBe(
      0,
    );
    expect(outcome.requests).toBe(40);
    // A journey lasts its think time and more; the step after it is measured from the think's end
    // (measured from the arrival, each would take longer than the think itself).
    const journeys = mergeEncoded(windows.filter((w) => w.step === JOURNEY_STEP).map((w) => w.latency));
    expect(journeys.totalCount).toBe(20);
    expect(journeys.minNonZeroValue / 1000).toBeGreaterThanOrEqual(1500);
    const adds = mergeEncoded(windows.filter((w) => w.step === "add").map((w) => w.latency));
    expect(adds.maxValue / 1000).toBeLessThan(1500);
  });

  it("fails a response past its total deadline as timeout_total and goes on", async () => {
    t = await target((_req, _body, res) => {
      // Headers and a first chunk at once, then never the end of the body.
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
    });
    const profile = getProfile({
      stages: [{ duration: "1s", rate: 10 }],
      executor: { connections: 16, maxVUs: 50, timeout: "300ms" },
    });
    const outcome = await runInProcess(profile, t.url);
    const windows = outcome.windows.filter((w) => w.step === "get");
    expect(sum(windows, "get", (w) => w.count)).toBe(10);
    expect(sum(windows, "get", (w) => w.causes?.timeout_total?.count ?? 0)).toBe(10);
    const failed = mergeEncoded(windows.flatMap((w) => (w.failedLatency ? [w.failedLatency] : [])));
    expect(failed.minNonZeroValue / 1000).toBeGreaterThanOrEqual(300);
  });

  it("stopping the run ends thinking journeys at once and counts every arrival once", async () => {
    t = await target((_req, _body, res) => res.end("ok"));
    const profile = getProfile({
      journeys: [
        {
          name: "slow",
          thinkTime: { min: "20s", max: "20s" },
          steps: [
            { name: "first", path: "/a" },
            { name: "second", path: "/b" },
          ],
        },
      ],
      stages: [{ duration: "10s", rate: 20 }],
      executor: { connections: 4, maxVUs: 1000 },
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 600);
    const { windows } = await runInProcess(profile, t.url, { signal: stop.signal });
    const achieved = sum(windows, JOURNEY_STEP, (w) => w.achievedRate);
    const first = sum(windows, "first", (w) => w.count);
    // A first request cut off by the stop is not the target's: neither it nor its journey counts.
    expect(first).toBeGreaterThan(5);
    expect(first).toBeLessThanOrEqual(achieved);
    expect(sum(windows, "second", (w) => w.count)).toBe(0);
    // Every journey past its first step ended when the run stopped, in its think, exactly once.
    const journeys = mergeEncoded(windows.filter((w) => w.step === JOURNEY_STEP).map((w) => w.latency));
    expect(journeys.totalCount).toBe(first);
    expect(journeys.maxValue / 1000).toBeLessThan(20_000);
  });
});
