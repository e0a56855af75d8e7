import { describe, expect, it } from "vitest";
import { fingerprint } from "./fingerprint.ts";
import { MatcherSchema, matchAll } from "./matchers.ts";
import { silencedBy, silenceState } from "./silence.ts";

describe("fingerprint", () => {
  it("ignores label order and tells different label sets apart", () => {
    const a = fingerprint({ alertname: "X", step: "checkout" });
    expect(fingerprint({ step: "checkout", alertname: "X" })).toBe(a);
    expect(fingerprint({ alertname: "X", step: "cart" })).not.toBe(a);
    // The separator keeps "ab"+"c" and "a"+"bc" apart.
    expect(fingerprint({ ab: "c" })).not.toBe(fingerprint({ a: "bc" }));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("matchers and silences", () => {
  const m = (name: string, op: string, value: string) => MatcherSchema.parse({ name, op, value });
  const labels = { alertname: "CheckoutErrorRate", severity: "critical" };

  it("anchor regexes and read a missing label as empty", () => {
    expect(matchAll([m("alertname", "=~", "Checkout.*")], labels)).toBe(true);
    expect(matchAll([m("alertname", "=~", "Checkout")], labels)).toBe(false);
    expect(matchAll([m("severity", "!=", "info"), m("team", "=", "")], labels)).toBe(true);
    expect(matchAll([m("alertname", "!~", ".*Rate")], labels)).toBe(false);
  });

  it("reject a bad regex", () => {
    expect(MatcherSchema.safeParse({ name: "a", op: "=~", value: "(" }).success).toBe(false);
  });

  it("a silence is active only between startsAt and endsAt", () => {
    const silence = {
      id: "s1",
      matchers: [m("severity", "=", "critical")],
      startsAt: 1000,
      endsAt: 2000,
      createdBy: "a@x",
      comment: "deploy",
      createdAt: 0,
    };
    expect(silenceState(silence, 999)).toBe("pending");
    expect(silencedBy([silence], labels, 1500)).toEqual(["s1"]);
    expect(silencedBy([silence], labels, 2000)).toEqual([]);
    expect(silencedBy([silence], { ...labels, severity: "warning" }, 1500)).toEqual([]);
  });
});
