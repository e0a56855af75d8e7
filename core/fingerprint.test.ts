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

describe("fingerprint arithmetic", () => {
  /** FNV-1a 64 as first written, in BigInt: the reference the limb arithmetic must equal. */
  function reference(labels: Record<string, string>): string {
    let hash = 0xcbf29ce484222325n;
    const mix = (bytes: Iterable<number>) => {
      for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
    };
    for (const name of Object.keys(labels).sort()) {
      mix(new TextEncoder().encode(name));
      mix([0xff]);
      mix(new TextEncoder().encode(labels[name] ?? ""));
      mix([0xff]);
    }
    return hash.toString(16).padStart(16, "0");
  }

  it("equals 64-bit FNV-1a over UTF-8 for ASCII, accented, CJK and astral labels", () => {
    const values = ["", "checkout", "http://127.0.0.1:4100", "é", "漢字", "😀x", "a\u00ffb", "Rule_999"];
    for (const a of values)
      for (const b of values) {
        const labels = { alertname: a, [`k${b}`]: b };
        expect(fingerprint(labels)).toBe(reference(labels));
      }
  });
});
