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

  it("skips strings as a character-by-character scan would, escaped quotes and backslashes included", () => {
    const reference = (text: string, limit: number) => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === "\\") i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "[" || c === "{") {
          if (++depth > limit) return true;
        } else if (c === "]" || c === "}") depth--;
      }
      return false;
    };
    let seed = 5;
    const alphabet = ['"', "\\", "[", "]", "{", "a"];
    for (let n = 0; n < 5000; n++) {
      let text = "";
      for (let k = 0; k < 30; k++) {
        seed = (seed * 48271) % 2147483647;
        text += alphabet[seed % alphabet.length];
      }
      expect(jsonDepthExceeds(text, 3), text).toBe(reference(text, 3));
    }
  });

  it("says when the text is not JSON", () => {
    expect(() => parseJsonBody('{"a":')).toThrowError(/^body: not valid JSON$/);
  });
});
