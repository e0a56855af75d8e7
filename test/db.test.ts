import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDb } from "../db/open.ts";
import { users } from "../db/schema/hub.ts";
import { describeEachDatabase } from "./helpers/db.ts";

describeEachDatabase("migrations", ["hub", "alerting", "shop"], (get, kind) => {
  it("create the hub and shop schemas apart", async () => {
    const { db } = get();
    const rows = await db.execute<{ schema_name: string }>(
      sql`select schema_name from information_schema.schemata where schema_name in ('hub', 'shop') order by 1`,
    );
    const names = (Array.isArray(rows) ? rows : (rows as { rows: { schema_name: string }[] }).rows).map(
      (r) => r.schema_name,
    );
    expect(names).toEqual(["hub", "shop"]);
  });

  it("running them again is a no-op that keeps the data", async () => {
    const opened = get();
    await opened.db.insert(users).values({ email: "a@example.com", role: "admin" });
    if (kind === "postgres") {
      const again = await openDb({ domains: ["hub", "alerting", "shop"], url: opened.url, poolSize: 1 });
      await again.close();
    }
    const rows = await opened.db.select().from(users);
    expect(rows.map((r) => r.email)).toEqual(["a@example.com"]);
  });
});
