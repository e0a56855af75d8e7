import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedDb, openDb } from "../../db/open.ts";
import { rowsOf } from "../../db/rows.ts";
import { keyEncryptionKeys, products } from "../../db/schema/shop.ts";

/** The shop's embedded database runs in a worker thread (db/pglite-thread.ts). */
describe("PGlite in its own thread", () => {
  let dir: string;
  let opened: OpenedDb;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pw-pglite-thread-"));
    opened = await openDb({ domains: ["shop"], dataDir: join(dir, "pgdata"), pgliteThread: true });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the migrations and answers typed rows through drizzle", async () => {
    const { db } = opened;
    await db.insert(keyEncryptionKeys).values({ id: "k1", wrappedKey: "w", state: "active" });
    const [row] = await db.select().from(keyEncryptionKeys).where(eq(keyEncryptionKeys.id, "k1"));
    expect(row?.state).toBe("active");
    expect(row?.createdAt).toBeInstanceOf(Date);
    const raw = rowsOf<{ n: number }>(await db.execute(sql`select 41 + 1 as n`));
    expect(raw[0]?.n).toBe(42);
  });

  it("keeps Postgres's error code across the thread (a unique violation is 23505)", async () => {
    const { db } = opened;
    const values = {
      sku: "DUP-1",
      name: "n",
      description: "d",
      category: "c",
      priceCents: 1,
      stock: 1,
      imageUrl: "/i",
    };
    await db.insert(products).values(values);
    const error = await db
      .insert(products)
      .values(values)
      .then(() => undefined)
      .catch((e: unknown) => e as { cause?: { code?: string } });
    expect(error?.cause?.code).toBe("23505");
  });

  it("runs a transaction alone: a statement sent meanwhile sees only its committed result", async () => {
    const { db } = opened;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = db.transaction(async (t) => {
      await t.insert(keyEncryptionKeys).values({ id: "k2", wrappedKey: "w", state: "retired" });
      await gate;
      await t.update(keyEncryptionKeys).set({ wrappedKey: "final" }).where(eq(keyEncryptionKeys.id, "k2"));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outside = db.select().from(keyEncryptionKeys).where(eq(keyEncryptionKeys.id, "k2"));
    release();
    await tx;
    expect((await outside)[0]?.wrappedKey).toBe("final");
  });

  it("rolls a failed transaction back and keeps working", async () => {
    const { db } = opened;
    await expect(
      db.transaction(async (t) => {
        await t.insert(keyEncryptionKeys).values({ id: "k3", wrappedKey: "w", state: "retired" });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await db.select().from(keyEncryptionKeys).where(eq(keyEncryptionKeys.id, "k3"))).toEqual([]);
  });

  it("answers a repeated statement (a named prepared one from its second run) as its first run did", async () => {
    const { db } = opened;
    const created = new Date("2026-11-27T08:00:00Z");
    const byId = db
      .select()
      .from(keyEncryptionKeys)
      .where(eq(keyEncryptionKeys.id, sql.placeholder("id")))
      .prepare("test_key_by_id");
    for (let i = 0; i < 3; i++) {
      await db
        .insert(keyEncryptionKeys)
        .values({ id: `p${i}`, wrappedKey: `w${i}`, state: "active", createdAt: created });
    }
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await byId.execute({ id: `p${i}` }))[0]);
    expect(runs.map((r) => r?.wrappedKey)).toEqual(["w0", "w1", "w2"]);
    expect(runs.map((r) => r?.createdAt?.getTime())).toEqual([0, 1, 2].map(() => created.getTime()));
    // The same text with a bad parameter fails with Postgres's code (22P02: not a valid value), and the next run works.
    const count = sql`select count(*)::int as n from generate_series(1, ${sql.placeholder("n")}::int)`;
    const counted = db.select({ n: sql<number>`n` }).from(sql`(${count}) c`).prepare("test_count");
    expect((await counted.execute({ n: 2 }))[0]?.n).toBe(2);
    expect((await counted.execute({ n: 3 }))[0]?.n).toBe(3);
    const error = await counted
      .execute({ n: "many" })
      .then(() => undefined)
      .catch((e: unknown) => e as { cause?: { code?: string } });
    expect(error?.cause?.code).toBe("22P02");
    expect((await counted.execute({ n: 4 }))[0]?.n).toBe(4);
  });

  it("leaves the caller's event loop free while a long statement runs", async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const started = performance.now();
    await opened.db.execute(sql`select count(*) from generate_series(1, 3000000)`);
    const tookMs = performance.now() - started;
    running = false;
    // On the calling thread the statement runs synchronously: the loop would not turn at all.
    expect(tookMs).toBeGreaterThan(20);
    expect(turns).toBeGreaterThan(10);
  });
});
