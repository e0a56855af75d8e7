import { describe, expect, it } from "vitest";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody } from "./json-text.ts";

describe("parseJsonBody", () => {
  it("parses ordinary JSON, brackets inside strings included", () => {
    expect(parseJsonBody('{"a":[1,{"b":"[[[{{{\\\\\\"]]]"}]}')).toEqual({ a: [1, { b: '[[[{{{\\"]]]' }] });
  });

  it("refuses nesting past the limit before parsing, in linear time", () => {
    const deep = `${"[".repeat(500_000)}${"]".repeat(500_000)}`;
    const started = performance.now();
    expect(() => parseJsonBody(deep)).toThrowError(/nested deeper than 64/);
    expect(performance.now() - started).toBeLessThan(2000); // ~10 ms alone; a quadratic scan takes minutes
    expect(jsonDepthExceeds("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(
      false,
    );
  });

  it("says when the text is not JSON", () => {
    expect(() => parseJsonBody('{"a":')).toThrowError(/^body: not valid JSON$/);
  });
});
