import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachDatabase } from "../test/helpers/db.ts";
import { executePrepared } from "./prepared.ts";
import { countQueries } from "./query-counter.ts";
import { rowsOf } from "./rows.ts";

describeEachDatabase("executePrepared", [], (db) => {
  it("answers what execute answers, as row objects, and is counted once per call", async () => {
    let statements = 0;
    countQueries(db().db, () => statements++);
    const query = (n: number) =>
      sql`select ${n}::int as n, ${`name ${n}`}::text as name, json_build_object('k', ${n}::int) as doc`;
    const expected = rowsOf(await db().db.execute(query(7)));
    statements = 0;
    for (let round = 0; round < 3; round++)
      expect(await executePrepared(db().db, query(7))).toEqual(expected);
    expect(await executePrepared(db().db, query(8))).toEqual([{ n: 8, name: "name 8", doc: { k: 8 } }]);
    expect(statements).toBe(4);
  });
});
