import { describe, expect, it } from "vitest";
import { z } from "zod";
import { findUnsafeText, unsafeTextReason } from "./safe-text.ts";
import { parseOr400 } from "./validate.ts";

describe("safe text", () => {
  it("refuses NUL and lone surrogates, accepts any valid Unicode", () => {
    expect(unsafeTextReason("a\u0000b")).toMatch(/NUL/);
    expect(unsafeTextReason("\uD800")).toMatch(/surrogate/);
    expect(unsafeTextReason("x\uDC00")).toMatch(/surrogate/);
    expect(unsafeTextReason("\uDC00\uD800")).toMatch(/surrogate/);
    expect(unsafeTextReason("ok 😀 ünïcödé")).toBeUndefined();
  });

  it("names the path of the first bad string, keys included", () => {
    expect(findUnsafeText({ a: [1, { b: "x\u0000" }] })).toEqual({
      path: ["a", 1, "b"],
      reason: expect.any(String),
    });
    expect(findUnsafeText({ "k\uD800": 1 })?.path).toEqual(["k\uD800"]);
    expect(findUnsafeText({ a: ["fine"], b: 2 })).toBeUndefined();
  });

  it("walks a deeply nested body without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(200_000)}"\\u0000"${"]".repeat(200_000)}`);
    expect(findUnsafeText(deep)?.reason).toMatch(/NUL/);
  });

  it("makes parseOr400 answer 400 naming the field, whatever the schema allows", () => {
    const schema = z.object({ name: z.string(), tags: z.record(z.string(), z.string()) });
    expect(() => parseOr400(schema, { name: "a\u0000", tags: {} }, "body")).toThrowError(
      /^body\.name: .*NUL/,
    );
    expect(() => parseOr400(schema, { name: "a", tags: { t: "\uDFFF" } }, "body")).toThrowError(
      /^body\.tags\.t: .*surrogate/,
    );
  });
});
