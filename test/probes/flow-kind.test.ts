import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowProbeSchema } from "../../core/probe.ts";
import { flowKind } from "../../probes/kinds/flow.ts";
import { startServer, type TestServer, testContext } from "../helpers/probes.ts";

/** A tiny OTP shop: the code shows up in the mailbox only on the second poll. */
function miniShop() {
  const polls = new Map<string, number>();
  const seen: Array<{ path: string; cookie: string | undefined; xff: string | undefined }> = [];
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push({
        path: url.pathname,
        cookie: req.headers.cookie,
        xff: req.headers["x-forwarded-for"] as string,
      });
      const body = raw ? JSON.parse(raw) : {};
      if (url.pathname === "/otp/request") return json(res, 200, { challengeId: `ch-${body.email}` });
      if (url.pathname === "/mailbox") {
        const n = (polls.get(url.searchParams.get("to")!) ?? 0) + 1;
        polls.set(url.searchParams.get("to")!, n);
        // Mail for never-* addresses never arrives.
        const never = url.searchParams.get("to")!.startsWith("never");
        const messages = n < 2 || never ? [] : [{ text: "Hello\nYour code: 654321\nBye" }];
        return json(res, 200, { messages });
      }
      if (url.pathname === "/otp/verify") {
        if (body.code !== "654321" || !String(body.challengeId).startsWith("ch-")) return json(res, 401, {});
        return json(res, 200, { ok: true }, { "set-cookie": "session=s1; HttpOnly; SameSite=Lax; Path=/" });
      }
      if (url.pathname === "/checkout") {
        if (req.headers.cookie !== "session=s1") return json(res, 401, { code: "unauthorized" });
        return json(res, 201, { orderId: "o-1", totalCents: 1299 });
      }
      json(res, 404, {});
    });
  };
  return { handler, seen };
}

describe("flow probe against a local OTP shop", () => {
  const shop = miniShop();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(shop.handler);
  });
  afterAll(() => server.close());

  const flow = (checkoutStatus = 201) =>
    FlowProbeSchema.parse({
      kind: "flow",
      name: "login-checkout",
      vars: { email: "customer{{randomInt 1 2000}}@shop.test", ip: "{{syntheticIp}}" },
      steps: [
        {
          name: "request-code",
          method: "POST",
          url: `${server.url}/otp/request`,
          headers: { "x-forwarded-for": "{{ip}}" },
          body: { email: "{{email}}" },
          capture: [{ name: "challengeId", from: "json", path: "challengeId" }],
        },
        {
          name: "read-mail",
          url: `${server.url}/mailbox?to={{email}}`,
          capture: [{ name: "code", from: "json", path: "messages[0].text", regex: "Your code: (\\d{6})" }],
          retry: { attempts: 5, delay: "20ms" },
        },
        {
          name: "verify",
          method: "POST",
          url: `${server.url}/otp/verify`,
          headers: { "x-forwarded-for": "{{ip}}" },
          body: { challengeId: "{{challengeId}}", code: "{{code}}" },
        },
        {
          name: "checkout",
          method: "POST",
          url: `${server.url}/checkout`,
          headers: { "x-forwarded-for": "{{ip}}" },
          assertions: [
            { type: "status", in: [checkoutStatus] },
            { type: "jsonPathExists", path: "orderId" },
          ],
        },
      ],
    });

  it("carries captures and cookies from step to step, retrying until the mail arrives", async () => {
    const result = await flowKind.check(flow(), AbortSignal.timeout(5000), testContext());
    expect(result.message).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.status).toBe(201);
    expect(result.steps?.map((s) => [s.name, s.ok])).toEqual([
      ["request-code", true],
      ["read-mail", true],
      ["verify", true],
      ["checkout", true],
    ]);
    const checkout = shop.seen.find((s) => s.path === "/checkout")!;
    expect(checkout.cookie).toBe("session=s1");
    expect(checkout.xff).toMatch(/^198\.(18|19)\.\d+\.\d+$/);
    // One visitor: the same synthetic address on every step.
    expect(new Set(shop.seen.filter((s) => s.xff).map((s) => s.xff)).size).toBe(1);
    expect(shop.seen.filter((s) => s.path === "/mailbox")).toHaveLength(2);
  });

  it("stops at the first failing step and names it", async () => {
    const result = await flowKind.check(flow(200), AbortSignal.timeout(5000), testContext());
    expect(result.ok).toBe(false);
    expect(result.message).toBe("step checkout: expected status in [200], got 201");
    expect(result.steps?.at(-1)).toMatchObject({ name: "checkout", ok: false, status: 201 });
  });

  it("fails a capture that never matches after its retries", async () => {
    const probe = FlowProbeSchema.parse({
      kind: "flow",
      name: "no-mail",
      steps: [
        {
          name: "read-mail",
          url: `${server.url}/mailbox?to=never-{{uuid}}`,
          capture: [{ name: "code", from: "json", path: "messages[0].text" }],
          retry: { attempts: 1 },
        },
      ],
    });
    const result = await flowKind.check(probe, AbortSignal.timeout(5000), testContext());
    expect(result.ok).toBe(false);
    expect(result.message).toBe("step read-mail: capture code: JSON path messages[0].text is missing");
  });

  it("stops retrying when the flow times out", async () => {
    const probe = FlowProbeSchema.parse({
      kind: "flow",
      name: "slow-mail",
      vars: { box: "never-{{uuid}}" },
      steps: [
        {
          name: "read-mail",
          url: `${server.url}/mailbox?to={{box}}`,
          capture: [{ name: "code", from: "body", regex: "Your code: (\\d+)" }],
          retry: { attempts: 20, delay: "100ms" },
        },
      ],
    });
    const before = shop.seen.length;
    const started = performance.now();
    const result = await flowKind.check(probe, AbortSignal.timeout(800), testContext());
    expect(performance.now() - started).toBeLessThan(2500);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /^step read-mail: timed out after \d+ attempts?; last: capture code: \/Your code: \(\\d\+\)\/ did not match$/,
    );
    // It polled more than once before the deadline.
    expect(shop.seen.slice(before).filter((s) => s.path === "/mailbox").length).toBeGreaterThanOrEqual(2);
  });
});
