import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "../db/open.ts";
import { openDb } from "../db/open.ts";
import { users } from "../db/schema/hub.ts";
import { describeEachDatabase } from "./helpers/db.ts";

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as unknown as { rows: T[] }).rows) as T[];
}

const appliedCount = async (db: Db) =>
  (await rows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.migrations_hub`))[0]!.n;

describeEachDatabase(
  "migrations",
  ["hub", "alerting", "shop"],
  (get, kind) => {
    it("create the hub and shop schemas apart", async () => {
      const names = await rows<{ schema_name: string }>(
        get().db,
        sql`select schema_name from information_schema.schemata where schema_name in ('hub', 'shop') order by 1`,
      );
      expect(names.map((r) => r.schema_name)).toEqual(["hub", "shop"]);
    });

    it.runIf(kind === "postgres")("running them again is a no-op that keeps the data", async () => {
      const opened = get();
      await opened.db.insert(users).values({ email: "again@example.com", role: "admin" });
      const before = await appliedCount(opened.db);
      const again = await openDb({ domains: ["hub", "alerting", "shop"], url: opened.url, poolSize: 1 });
      await again.close();
      expect(await appliedCount(opened.db)).toBe(before);
      expect((await opened.db.select().from(users)).map((r) => r.email)).toContain("again@example.com");
    });
  },
  // Migrated here from an empty database, not copied from the suite's template.
  { fresh: true },
);

describe("[pglite] embedded data directory", () => {
  it("keeps data across restarts and migrating again applies nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peakwatch-db-"));
    try {
      const first = await openDb({ domains: ["hub", "alerting"], dataDir: dir });
      await first.db.insert(users).values({ email: "persist@example.com", role: "ops" });
      const applied = await appliedCount(first.db);
      await first.close();

      const second = await openDb({ domains: ["hub", "alerting"], dataDir: dir });
      expect(await appliedCount(second.db)).toBe(applied);
      expect((await second.db.select().from(users)).map((r) => r.email)).toEqual(["persist@example.com"]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
