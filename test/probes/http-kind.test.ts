import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Assertion, HttpProbeSchema } from "../../core/probe.ts";
import { httpKind } from "../../probes/kinds/http.ts";
import { phaseSum, selfSignedCert, startServer, type TestServer, testContext } from "../helpers/probes.ts";

const probe = (over: Record<string, unknown>) => HttpProbeSchema.parse({ kind: "http", name: "t", ...over });
const check = (over: Record<string, unknown>, timeoutMs = 5000) =>
  httpKind.check(probe(over), AbortSignal.timeout(timeoutMs), testContext());

const catalog = { items: [{ id: "p1", name: "Mug", priceCents: 1299 }], total: 1 };

describe("http probe against local servers", () => {
  let server: TestServer;
  let hanging: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/slow-first-byte") {
        setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end("late"), 300);
      } else if (url.pathname === "/slow-body") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("first half ");
        setTimeout(() => res.end("second half"), 200);
      } else if (url.pathname === "/echo") {
        let body = "";
        req.on("data", (c) => {
          body += c;
        });
        req.on("end", () =>
          res.writeHead(201, { "content-type": "application/json" }).end(
            JSON.stringify({
              method: req.method,
              body,
              ua: req.headers["user-agent"],
              x: req.headers["x-probe"],
            }),
          ),
        );
      } else if (url.pathname === "/down") {
        res.writeHead(503).end("maintenance");
      } else {
        res.writeHead(200, { "content-type": "application/json", etag: '"v1"' }).end(JSON.stringify(catalog));
      }
    });
    hanging = await startServer(() => {
      // Accepts the connection and never answers.
    });
  });
  afterAll(async () => {
    await server.close();
    await hanging.close();
  });

  it("passes every assertion kind that holds on a real response", async () => {
    const assertions: Assertion[] = [
      { type: "status", in: [200] },
      { type: "bodyContains", value: "Mug" },
      { type: "bodyMatches", pattern: '"priceCents":\\d+' },
      { type: "bodyNotMatches", pattern: "error" },
      { type: "jsonPathExists", path: "items[0].id" },
      { type: "jsonPathEquals", path: "items[0].name", value: "Mug" },
      { type: "jsonPathCompare", path: "total", op: ">=", value: 1 },
      { type: "header", name: "Content-Type", pattern: "^application/json" },
      { type: "latencyBelow", ms: 5000 },
    ];
    const result = await check({ url: `${server.url}/api/products`, assertions });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.message).toBeUndefined();
  });

  it.each<[Assertion, string]>([
    [{ type: "status", in: [204] }, "expected status in [204], got 200"],
    [{ type: "bodyContains", value: "Teapot" }, 'expected body to contain "Teapot", got "{\\"items\\"'],
    [{ type: "bodyMatches", pattern: "^<!doctype" }, "expected body to match /^<!doctype/, got"],
    [{ type: "bodyNotMatches", pattern: "Mu." }, 'expected body not to match /Mu./, found "Mug"'],
    [
      { type: "jsonPathExists", path: "items[1].id" },
      "expected JSON path items[1].id to exist, it is missing",
    ],
    [
      { type: "jsonPathEquals", path: "items[0].priceCents", value: 999 },
      "expected items[0].priceCents to equal 999, got 1299",
    ],
    [{ type: "jsonPathCompare", path: "total", op: ">", value: 10 }, "expected total > 10, got 1"],
    [
      { type: "header", name: "etag", pattern: '^"v2"$' },
      'expected header etag to match /^"v2"$/, got "\\"v1\\""',
    ],
    [{ type: "latencyBelow", ms: 0.001 }, "expected latency below 0.001 ms, got"],
    [{ type: "certDaysLeft", min: 1 }, "got no certificate"],
  ])("a failing %o says what was expected and what came back", async (assertion, message) => {
    const result = await check({ url: `${server.url}/api/products`, assertions: [assertion] });
    expect(result.ok).toBe(false);
    expect(result.status).toBe(200);
    expect(result.message).toContain(message);
  });

  it("fails on a 5xx without any assertion, naming the status", async () => {
    const result = await check({ url: `${server.url}/down` });
    expect(result).toMatchObject({
      ok: false,
      status: 503,
      message: "expected a 2xx or 3xx status, got 503",
    });
  });

  it("sends method, headers and a JSON body", async () => {
    const result = await check({
      url: `${server.url}/echo`,
      method: "POST",
      headers: { "X-Probe": "yes" },
      body: { productId: "p1", quantity: 2 },
      assertions: [
        { type: "status", in: [201] },
        { type: "jsonPathEquals", path: "method", value: "POST" },
        { type: "jsonPathEquals", path: "body", value: '{"productId":"p1","quantity":2}' },
        { type: "jsonPathEquals", path: "x", value: "yes" },
        { type: "jsonPathEquals", path: "ua", value: "peakwatch-probe/1" },
      ],
    });
    expect(result.message).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it("shows a 300 ms delay before the first byte in the firstByte phase; phases add up to the total", async () => {
    const result = await check({ url: `${server.url}/slow-first-byte` });
    expect(result.ok).toBe(true);
    const { phases } = result;
    expect(phases.firstByte).toBeGreaterThanOrEqual(295);
    expect(phases.firstByte).toBeLessThan(900);
    expect(Math.abs(phaseSum(phases) - phases.total)).toBeLessThan(3);
    expect(phases.tls).toBe(0);
  });

  it("shows a slow body in the transfer phase", async () => {
    const result = await check({
      url: `${server.url}/slow-body`,
      assertions: [{ type: "bodyContains", value: "second half" }],
    });
    expect(result.ok).toBe(true);
    expect(result.phases.transfer).toBeGreaterThanOrEqual(195);
    expect(Math.abs(phaseSum(result.phases) - result.phases.total)).toBeLessThan(3);
  });

  it("times a DNS lookup when the target is a host name", async () => {
    const result = await check({ url: `http://localhost:${server.port}/api/products` });
    // localhost may resolve to ::1 first; the server listens on 127.0.0.1 only, so either outcome is fine,
    // but a lookup must have been timed and the phases must still add up.
    expect(result.phases.dns).toBeGreaterThan(0);
    expect(Math.abs(phaseSum(result.phases) - result.phases.total)).toBeLessThan(3);
  });

  it("times out at its timeout against a hanging server, naming the phase", async () => {
    const started = performance.now();
    const result = await check({ url: `${hanging.url}/` }, 500);
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^timed out after \d+ ms waiting for the first byte$/);
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(1500);
    expect(result.phases.firstByte).toBeGreaterThanOrEqual(450);
  });

  it("reports a refused connection", async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const result = await check({ url: `${closed.url}/` });
    expect(result.ok).toBe(false);
    expect(result.message).toContain("ECONNREFUSED");
    expect(result.message).toContain("connecting");
  });
});

describe("https probe against a local TLS server", () => {
  const tls = selfSignedCert(30);
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => res.writeHead(200).end("secure"), tls);
  });
  afterAll(() => server.close());

  it("times the handshake and checks the certificate's days left", async () => {
    const result = await check({
      url: `${server.url}/`,
      tls: { ca: tls.cert },
      assertions: [{ type: "certDaysLeft", min: 20 }],
    });
    expect(result.message).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.phases.tls).toBeGreaterThan(0);
    expect(Math.abs(phaseSum(result.phases) - result.phases.total)).toBeLessThan(3);
  });

  it("fails a certificate that expires too soon, saying how many days it has", async () => {
    const result = await check({
      url: `${server.url}/`,
      tls: { insecureSkipVerify: true },
      assertions: [{ type: "certDaysLeft", min: 60 }],
    });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /^expected certificate valid for at least 60 days, it has (29|30)\.\d days left$/,
    );
  });

  it("rejects an untrusted certificate unless told to skip verification", async () => {
    const result = await check({ url: `${server.url}/` });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/self[- ]signed certificate/);
    expect(result.message).toContain("TLS handshake");
  });
});
