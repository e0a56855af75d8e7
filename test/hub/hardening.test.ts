import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { rawExchange } from "../helpers/raw-http.ts";

/** Issue 14: bad input to the hub gets a 4xx that names what is wrong, never a 500; bodies are bounded. */
for (const kind of databaseKinds) {
  describe(`[${kind}] hub hardening`, () => {
    let t: TestHub;
    let admin: TestSession;
    beforeAll(async () => {
      t = await startTestHub({ kind });
      admin = await t.loginAs("admin");
    });
    afterAll(async () => {
      await t?.close();
    });

    const send = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it("refuses NUL, lone surrogates and unstorable dates with 400 naming the field (the 500s)", async () => {
      const now = Math.floor(Date.now() / 1000);
      const cases: Array<[string, string, Record<string, string>, unknown, RegExp]> = [
        ["POST", "/api/v1/agent-tokens", admin.headers, { name: "ci\u0000" }, /^body\.name: .*NUL/],
        [
          "POST",
          "/api/v1/users",
          admin.headers,
          { email: "year-zero@peakwatch.test", role: "viewer", expiresAt: "0000-01-01T00:00:00Z" },
          /^body\.expiresAt: /,
        ],
        [
          "POST",
          "/api/v1/runs",
          admin.headers,
          { profile: "smoke\u0000", target: "http://127.0.0.1:1" },
          /^body\.profile: .*NUL/,
        ],
        [
          "POST",
          "/api/v1/silences",
          admin.headers,
          { matchers: [{ name: "a", value: "b" }], endsAt: Date.now() + 60_000, comment: "\uD800" },
          /^body\.comment: .*surrogate/,
        ],
        [
          "POST",
          "/api/v1/rules",
          admin.headers,
          { name: "r", kind: "threshold", description: "\uDC00x" },
          /^body\.description: .*surrogate/,
        ],
        [
          "POST",
          "/api/v1/ingest/probe-results",
          t.agentHeaders,
          { results: [{ probe: "p\u0000", at: now }] },
          /^body\.results\[0\]\.probe: .*NUL/,
        ],
        ["GET", "/api/v1/probes/%00/results", admin.headers, undefined, /^path: .*NUL/],
        [
          "GET",
          "/api/v1/alerts/history?fingerprint=%00",
          admin.headers,
          undefined,
          /^query\.fingerprint: .*NUL/,
        ],
        ["GET", "/%E0%A4%A", {}, undefined, /^path: malformed/],
      ];
      const wrong: string[] = [];
      for (const [method, path, headers, body, message] of cases) {
        const r = await send(method, path, headers, body);
        const text = await r.text();
        const got = (JSON.parse(text) as { message?: string }).message ?? "";
        if (r.status !== 400 || !message.test(got)) wrong.push(`${method} ${path}: ${r.status} ${got}`);
      }
      expect(wrong).toEqual([]);
    });

    it("refuses an unknown or misspelt field with 400 naming it, and stores nothing", async () => {
      const count = async (path: string, key: string) =>
        ((await (await send("GET", path, admin.headers)).json()) as Record<string, unknown[]>)[key]!.length;
      const lists: Array<[string, string]> = [
        ["/api/v1/users", "users"],
        ["/api/v1/agent-tokens", "tokens"],
        ["/api/v1/rules", "rules"],
        ["/api/v1/runs", "runs"],
        ["/api/v1/silences", "silences"],
      ];
      const before = await Promise.all(lists.map(([path, key]) => count(path, key)));
      const cases: Array<[string, string, unknown, string]> = [
        [
          "POST",
          "/api/v1/runs",
          { profile: "smoke", rateScal: 2 },
          "body.rateScal: unknown field; check its spelling",
        ],
        [
          "POST",
          "/api/v1/rules",
          {
            name: "slow",
            kind: "threshold",
            query: { source: "windows", stat: "p95", windowSeconds: 60, step: "browse", extra: 1 },
            comparator: ">",
            threshold: 1,
          },
          "body.query.extra: unknown field; check its spelling",
        ],
        [
          "POST",
          "/api/v1/agent-tokens",
          { name: "ci", role: "admin" },
          "body.role: unknown field; check its spelling",
        ],
        [
          "POST",
          "/api/v1/users",
          { email: "x@peakwatch.test", role: "viewer", admin: true, note: "n" },
          "body.admin: unknown field (and note); check its spelling",
        ],
        [
          "POST",
          "/api/v1/silences",
          { matchers: [{ name: "a", value: "b" }], endsAt: Date.now() + 60_000, comment: "c", creator: "me" },
          "body.creator: unknown field; check its spelling",
        ],
      ];
      const wrong: string[] = [];
      for (const [method, path, body, message] of cases) {
        const r = await send(method, path, admin.headers, body);
        const got = ((await r.json()) as { message?: string }).message ?? "";
        if (r.status !== 400 || got !== message) wrong.push(`${method} ${path}: ${r.status} ${got}`);
      }
      expect(wrong).toEqual([]);
      expect(await Promise.all(lists.map(([path, key]) => count(path, key)))).toEqual(before);
    });

    it("takes back a rule exactly as GET answered it (its read-only fields are ignored)", async () => {
      const spec = {
        name: "round_trip",
        kind: "threshold",
        query: { source: "windows", stat: "p95", windowSeconds: 60 },
        comparator: ">",
        threshold: 500,
      };
      const created = await send("POST", "/api/v1/rules", admin.headers, spec);
      expect(created.status).toBe(201);
      const { rule } = (await created.json()) as { rule: Record<string, unknown> };
      const put = await send("PUT", `/api/v1/rules/${rule.id}`, admin.headers, { ...rule, threshold: 750 });
      expect(put.status).toBe(200);
      expect(((await put.json()) as { rule: { threshold: number; id: string } }).rule).toMatchObject({
        id: rule.id,
        threshold: 750,
      });
    });

    it("refuses a large body with 413 before reading it, even on an anonymous route (finding 4)", async () => {
      const declared = await send(
        "POST",
        "/api/v1/auth/otp/request",
        {},
        { email: `${"a".repeat(2 << 20)}@b.c` },
      );
      expect(declared.status).toBe(413);
    });

    it("refuses a GET or HEAD body over the limit, or chunked, with 413 before reading it, ingest paths too", async () => {
      const limit = 1024 * 1024; // HUB_BODY_MAX_BYTES's default
      const host = `Host: ${new URL(t.url).host}`;
      // Declares 1000 times the limit, sends 1 KiB of it, and waits: the answer comes and the
      // connection closes without the rest ever being sent.
      for (const [method, path] of [
        ["GET", "/healthz"],
        ["HEAD", "/healthz"],
        ["GET", "/api/v1/ingest/windows"],
      ]) {
        const declared = await rawExchange(
          t.url,
          `${method} ${path} HTTP/1.1\n${host}\nContent-Length: ${limit * 1000}`,
          "x".repeat(1024),
        );
        expect(declared, `${method} ${path}`).toMatchObject({ status: 413, closed: true });
        if (method === "GET") expect(declared.text).toContain(`body: larger than ${limit} bytes`);
      }
      const chunked = await rawExchange(
        t.url,
        `GET /healthz HTTP/1.1\n${host}\nTransfer-Encoding: chunked`,
        `400\r\n${"x".repeat(1024)}\r\n`,
      );
      expect(chunked).toMatchObject({ status: 413, closed: true });
      expect(chunked.text).toContain(`at most ${limit} bytes`);
      const small = await rawExchange(
        t.url,
        `GET /healthz HTTP/1.1\n${host}\nConnection: close\nContent-Length: 2`,
        "{}",
      );
      expect(small.status).toBe(200);
    });

    it("stops a streamed body at the limit: 64 MiB sent chunked costs the hub no memory (finding 4)", async () => {
      const before = process.memoryUsage().rss;
      const url = new URL(`${t.url}/api/v1/auth/otp/request`);
      const chunk = Buffer.alloc(1 << 20, 0x20);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: { "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
            req.destroy();
          },
        );
        req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
        let sent = 0;
        const pump = () => {
          while (sent < 64 && !req.destroyed) {
            sent += 1;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
          if (!req.destroyed) req.end();
        };
        req.write("{");
        pump();
      });
      expect(status).toBe(413);
      // The whole body read and parsed would take well over 64 MiB.
      expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(40);
    });
  });
}
