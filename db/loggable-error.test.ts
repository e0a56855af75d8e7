import { inspect } from "node:util";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachDatabase } from "../test/helpers/db.ts";
import { loggable, loggableMessage } from "./loggable-error.ts";

describeEachDatabase("loggable errors", [], (db) => {
  it("shows a failed statement's cause and the start of its text, never its parameters", async () => {
    const secret = "customer-address-".repeat(1000);
    const failure = await db()
      .db.execute(sql`select ${secret}::int as n`)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    // What the driver's error prints as it is: the parameter, in full.
    expect(inspect(failure)).toContain(secret);
    const printed = inspect(loggable(failure));
    // The database's message quotes the value: clipped, not whole.
    expect(printed).not.toContain(secret);
    expect(printed).toMatch(/invalid input syntax for type integer/);
    expect(printed).toMatch(/SQLSTATE 22P02/);
    expect(printed).toMatch(/in: select \$1::int as n/);
    expect(printed).toMatch(/\n {4}at /);
    expect(printed.length).toBeLessThan(2000);
    const line = loggableMessage(failure);
    expect(line).not.toContain(secret);
    expect(line).toMatch(
      /^invalid input syntax for type integer.*SQLSTATE 22P02.* in: select \$1::int as n$/,
    );
  });
});

it("passes other errors and values through unchanged", () => {
  const plain = new Error("plain");
  expect(loggable(plain)).toBe(plain);
  expect(loggable("text")).toBe("text");
  expect(loggableMessage(plain)).toBe("plain");
  expect(loggableMessage("text")).toBe("text");
  expect(loggableMessage(undefined)).toBe("undefined");
});
