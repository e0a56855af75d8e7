import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../loadgen/clock.ts";
import { HttpClient, type SendResult } from "../../loadgen/http-client.ts";

/**
 * A request's timeout fires when it is due, not on undici's coarse timers (a 0.5 s tick: a 300 ms
 * timeout used to fire after 740–1010 ms). Requests are sent 125 ms apart so they fall on every
 * phase of such a tick; lateness is the time from the send past the timeout.
 */
describe("request timeouts", () => {
  let server: Server;
  let client: HttpClient;
  beforeAll(async () => {
    server = createServer((req, res) => {
      // /hang never answers; /slow answers after 300 ms; /stall sends its headers and the start of a body, then nothing.
      if (req.url === "/slow") setTimeout(() => res.end("late"), 300);
      else if (req.url === "/stall") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new HttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, systemClock, 16);
  });
  afterAll(async () => {
    await client?.close(true);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function lateness(
    path: string,
    timeoutMs: number,
  ): Promise<Array<{ lateMs: number; r: SendResult }>> {
    return Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 125));
        const r = await client.send({ method: "GET", path, timeoutMs });
        return { lateMs: r.endAt - r.sentAt! - timeoutMs, r };
      }),
    );
  }

  // The sweep looks every twentieth of the timeout (10–100 ms); the rest is room for a loaded machine.
  it.each([
    [300, 150],
    [1300, 200],
  ])(
    "a %i ms wait for the first byte fires within %i ms of it, as timeout_first_byte",
    async (timeoutMs, toleranceMs) => {
      const results = await lateness("/hang", timeoutMs);
      for (const { lateMs, r } of results) {
        expect(r.failure?.cause).toBe("timeout_first_byte");
        expect(r.failure?.message).toContain(`within ${timeoutMs} ms`);
        expect(lateMs).toBeGreaterThanOrEqual(-1);
        expect(lateMs).toBeLessThan(toleranceMs);
      }
    },
  );

  it("a timeout of 0 is none: an answer after 300 ms still arrives", async () => {
    const r = await client.send({ method: "GET", path: "/slow", timeoutMs: 0 });
    expect(r.failure).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.endAt - r.sentAt!).toBeGreaterThanOrEqual(290);
  });

  it("a body that stops coming counts as timeout_total from the send, on time", async () => {
    const results = await lateness("/stall", 400);
    for (const { lateMs, r } of results) {
      expect(r.status).toBe(0);
      expect(r.failure?.cause).toBe("timeout_total");
      expect(lateMs).toBeGreaterThanOrEqual(-1);
      expect(lateMs).toBeLessThan(150);
    }
  });
});
