import { expect, it } from "vitest";
import { rawQuery } from "../../db/raw.ts";
import { pgArray } from "../../server/ingest/pg-array.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// Values ingest binds as array literals: plain ones take the fast path, the rest are escaped.
const texts = ["plain", "", 'a "quoted" name', "back\\slash", '\\"', "NULL", "{braces},comma", "ünï ✓", null];
const numbers = [0, -1, 1.5, 1e21, 2 ** 53 - 1, null];

describeEachDatabase("pgArray literals", ["hub"], (db) => {
  it("round-trips text, escapes and nulls through the database exactly", async () => {
    const rows = (await rawQuery(db().db)("select unnest($1::text[]) as v", [pgArray(texts)])) as Array<{
      v: string | null;
    }>;
    expect(rows.map((r) => r.v)).toEqual(texts);
  });

  it("round-trips numbers and nulls", async () => {
    const rows = (await rawQuery(db().db)("select unnest($1::float8[]) as v", [pgArray(numbers)])) as Array<{
      v: number | null;
    }>;
    expect(rows.map((r) => (r.v === null ? null : Number(r.v)))).toEqual(numbers);
  });
});

it("quotes every text value and escapes only quotes and backslashes", () => {
  expect(pgArray(["a", 'b"c', "d\\e", null, 7])).toBe('{"a","b\\"c","d\\\\e",NULL,7}');
});
