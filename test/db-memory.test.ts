import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDb } from "../db/open.ts";
import { HUB_PGLITE_SHARED_BUFFERS } from "../server/main.ts";

// PGlite's buffer pool lives in WebAssembly memory that never shrinks: the hub's embedded
// database asks for a small one (an idle hub on a fresh data directory sat at ~880 MB with 128 MB).
describe("the embedded database's buffer pool", () => {
  const sharedBuffers = async (options: { pgliteThread?: boolean; pgliteSharedBuffers?: string }) => {
    const opened = await openDb({ domains: [], ...options });
    try {
      const rows = (await opened.db.execute(sql`show shared_buffers`)) as unknown as
        | { rows: Array<{ shared_buffers: string }> }
        | Array<{ shared_buffers: string }>;
      return (Array.isArray(rows) ? rows : rows.rows)[0]!.shared_buffers;
    } finally {
      await opened.close();
    }
  };

  it("is the hub's size in process, and the asked size in PGlite's own thread", async () => {
    expect(HUB_PGLITE_SHARED_BUFFERS).toBe("32MB");
    expect(await sharedBuffers({ pgliteSharedBuffers: HUB_PGLITE_SHARED_BUFFERS })).toBe("32MB");
    expect(await sharedBuffers({ pgliteSharedBuffers: "16MB", pgliteThread: true })).toBe("16MB");
  }, 180_000);
});
