import { describe, expect, it } from "vitest";
import { MAX_REGEX_LENGTH, MatcherSchema, matchAll, matchOne, regexMatches } from "./matchers.ts";

const matcher = (value: string, op = "=~") => MatcherSchema.parse({ name: "step", op, value });

describe("matchers", () => {
  it("anchors regexes at both ends, as Alertmanager does", () => {
    expect(matchOne(matcher("check.*"), { step: "checkout" })).toBe(true);
    expect(matchOne(matcher("heck"), { step: "checkout" })).toBe(false);
    expect(matchOne(matcher("a|b", "!~"), { step: "a" })).toBe(false);
    expect(matchOne(matcher("cart|checkout"), { step: "cart" })).toBe(true);
  });

  it("reads a missing label as the empty string", () => {
    expect(matchAll([matcher("", "=")], {})).toBe(true);
    expect(matchAll([matcher(".+")], {})).toBe(false);
  });

  it("matches a catastrophic-backtracking pattern in linear time", () => {
    // On V8's backtracking engine 29 "a"s took 1.9 s; RE2 semantics take microseconds.
    const evil = matcher("(a+)+b");
    const started = performance.now();
    // Lengths 20…30 cost V8 about 7 s in all (each "a" doubles the work); RE2 well under 1 s.
    for (let n = 20; n <= 30; n++) expect(matchOne(evil, { step: "a".repeat(n) })).toBe(false);
    // Room for a loaded 2-core machine, still well under what backtracking needs.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(matchOne(evil, { step: "aaab" })).toBe(true);
  });

  it("refuses syntax RE2 cannot run in linear time, naming the field", () => {
    for (const value of ["(a)\\1", "(?=a)a", "(?<!x)y"]) {
      const result = MatcherSchema.safeParse({ name: "step", op: "=~", value });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["value"]);
      expect(result.error?.issues[0]?.message).toMatch(/RE2/);
    }
  });

  it("bounds the pattern length and the matched value length", () => {
    const long = MatcherSchema.safeParse({ name: "step", op: "=~", value: "a".repeat(MAX_REGEX_LENGTH + 1) });
    expect(long.success).toBe(false);
    expect(regexMatches(".*", "x".repeat(100_000))).toBe(false);
  });

  it("never throws on a pattern stored before RE2 was enforced: it just does not match", () => {
    expect(regexMatches("(a)\\1", "aa")).toBe(false);
    expect(matchOne({ name: "step", op: "!~", value: "(?=a)" }, { step: "a" })).toBe(true);
  });

  it("keeps equality matchers exact, regex characters included", () => {
    expect(matchOne(matcher("a.b", "="), { step: "a.b" })).toBe(true);
    expect(matchOne(matcher("a.b", "="), { step: "axb" })).toBe(false);
    expect(matchOne(matcher("a.b", "!="), { step: "axb" })).toBe(true);
  });
});
