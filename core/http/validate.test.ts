import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./app-error.ts";
import { formatPath, parseOr400 } from "./validate.ts";

describe("parseOr400", () => {
  const schema = z.object({ items: z.array(z.object({ count: z.number() })) });

  it("returns parsed data", () => {
    expect(parseOr400(schema, { items: [{ count: 1 }] }, "body")).toEqual({ items: [{ count: 1 }] });
  });

  it("throws a 400 naming the item index and field", () => {
    const bad = () => parseOr400(schema, { items: [{ count: 1 }, { count: "x" }] }, "body");
    expect(bad).toThrowError(AppError);
    expect(bad).toThrowError(/^body\.items\[1\]\.count: /);
  });

  it("names every bad field of a form, up to three, then says how many more", () => {
    const form = z.strictObject({ name: z.string().min(1), threshold: z.number(), forSeconds: z.number() });
    expect(() => parseOr400(form, { name: "", threshold: "x", forSeconds: 5 }, "body")).toThrowError(
      /^body\.name: .+; body\.threshold: [^;]+$/,
    );
    const many = () => parseOr400(schema, { items: [1, 2, 3, 4, 5].map(() => ({ count: "x" })) }, "body");
    expect(many).toThrowError(/^body\.items\[0\]\.count: .+; body\.items\[2\]\.count: [^;]+ \(and 2 more\)$/);
  });

  it("says a missing field is required, and what it takes", () => {
    const login = z.strictObject({ challengeId: z.uuid(), code: z.string() });
    expect(() => parseOr400(login, { code: "123456" }, "body")).toThrowError(
      /^body\.challengeId: required \(a string\)$/,
    );
  });

  it("formats nested paths", () => {
    expect(formatPath(["a", 0, "b"])).toBe("a[0].b");
  });
});
