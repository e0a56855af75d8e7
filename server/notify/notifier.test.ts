import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { errorWithCause, postJson } from "./notifier.ts";

describe("a channel's transport failure", () => {
  it("says why, not just 'fetch failed': a refused port names ECONNREFUSED and the address", async () => {
    // A loopback port nobody listens on any more.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await postJson(`http://127.0.0.1:${port}/hook`, {}, {}, AbortSignal.timeout(5000));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(
      new RegExp(`^fetch failed: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
    );
  });

  it("joins an error's causes once each", () => {
    const inner = new Error("connect ECONNREFUSED 127.0.0.1:9");
    expect(errorWithCause(new Error("fetch failed", { cause: inner }))).toBe(
      "fetch failed: connect ECONNREFUSED 127.0.0.1:9",
    );
    expect(errorWithCause("plain")).toBe("plain");
  });
});
