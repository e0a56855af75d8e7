import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { systemClock } from "../clock.ts";
import { HttpClient } from "../http-client.ts";
import { answerMessage, classifyStatus } from "./session.ts";

describe("a failed request's message", () => {
  it("says what the answer said: its JSON message or error, else its first line of text", () => {
    const shop = JSON.stringify({ code: "bad_request", message: "the cart is empty", requestId: "r1" });
    expect(classifyStatus(400, [201], shop)).toEqual({
      cause: "http_400",
      message: "HTTP 400: the cart is empty",
    });
    expect(classifyStatus(503, [200], '{"error":"overloaded"}')?.message).toBe("HTTP 503: overloaded");
    expect(classifyStatus(502, [200], "Bad gateway\nupstream reset")?.message).toBe("HTTP 502: Bad gateway");
    expect(classifyStatus(500, [200], "")?.message).toBe("HTTP 500");
    expect(classifyStatus(500, [200], "<html><body>oops</body></html>")?.message).toBe("HTTP 500");
    expect(classifyStatus(201, [201], shop)).toBeUndefined();
  });

  it("keeps it printable and short", () => {
    expect(answerMessage(JSON.stringify({ message: `a\u0000b\u001b[31m${"x".repeat(300)}` }))).toMatch(
      /^a b \[31mx+…$/,
    );
    expect(answerMessage(JSON.stringify({ message: "y".repeat(300) }))?.length).toBe(120);
    expect(answerMessage(JSON.stringify({ message: 42 }))).toBeUndefined();
  });

  it("comes from the first 512 bytes of an error answer even when the step reads no body", async () => {
    const server = createServer((req, res) => {
      const failing = req.url === "/fail";
      res.writeHead(failing ? 409 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: failing ? "not enough stock" : "fine", pad: "z".repeat(4000) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new HttpClient(`http://127.0.0.1:${port}`, systemClock, 2);
    try {
      const failed = await client.send({ method: "GET", path: "/fail", timeoutMs: 5000 });
      expect(failed.status).toBe(409);
      expect(failed.body.length).toBe(512);
      expect(failed.bytes).toBeGreaterThan(4000);
      expect(classifyStatus(failed.status, [200], failed.body)?.message).toBe("HTTP 409: not enough stock");
      const ok = await client.send({ method: "GET", path: "/ok", timeoutMs: 5000 });
      expect(ok.body).toBe("");
    } finally {
      await client.close();
      server.close();
    }
  });
});
