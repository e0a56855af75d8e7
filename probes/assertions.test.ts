import { describe, expect, it } from "vitest";
import type { Assertion } from "../core/probe.ts";
import { evaluate, evaluateAll, type Observation } from "./assertions.ts";

const now = Date.UTC(2026, 0, 1);
const observation = (over: Partial<Observation> = {}): Observation => ({
  status: 200,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify({ items: [{ id: "p1", priceCents: 1999 }], total: 1 }),
  durationMs: 42,
  now,
  ...over,
});

const cases: Array<[string, Assertion, Partial<Observation>, string | null]> = [
  ["status in list", { type: "status", in: [200, 201] }, {}, null],
  ["status not in list", { type: "status", in: [200] }, { status: 503 }, "expected status in [200], got 503"],
  ["status without response", { type: "status", in: [200] }, { status: undefined }, "got no response"],
  ["body contains", { type: "bodyContains", value: "p1" }, {}, null],
  ["body lacks", { type: "bodyContains", value: "p9" }, {}, 'expected body to contain "p9", got "{\\"items'],
  ["body matches", { type: "bodyMatches", pattern: "price\\w+" }, {}, null],
  ["body does not match", { type: "bodyMatches", pattern: "^<html" }, {}, "expected body to match /^<html/"],
  ["body not matches", { type: "bodyNotMatches", pattern: "error" }, {}, null],
  [
    "body unexpectedly matches",
    { type: "bodyNotMatches", pattern: "p\\d" },
    {},
    'expected body not to match /p\\d/, found "p1"',
  ],
  ["path exists", { type: "jsonPathExists", path: "items[0].id" }, {}, null],
  [
    "path missing",
    { type: "jsonPathExists", path: "items[3].id" },
    {},
    "expected JSON path items[3].id to exist",
  ],
  [
    "path on non-JSON",
    { type: "jsonPathExists", path: "a" },
    { body: "<html>" },
    'expected a JSON body for path a, got "<html>"',
  ],
  [
    "path equals",
    { type: "jsonPathEquals", path: "items[0]", value: { id: "p1", priceCents: 1999 } },
    {},
    null,
  ],
  [
    "path differs",
    { type: "jsonPathEquals", path: "items[0].id", value: "p2" },
    {},
    'expected items[0].id to equal "p2", got "p1"',
  ],
  ["compare holds", { type: "jsonPathCompare", path: "total", op: ">=", value: 1 }, {}, null],
  [
    "compare fails",
    { type: "jsonPathCompare", path: "total", op: ">", value: 5 },
    {},
    "expected total > 5, got 1",
  ],
  [
    "compare on a string",
    { type: "jsonPathCompare", path: "items[0].id", op: "<", value: 5 },
    {},
    'expected items[0].id to be a number < 5, got "p1"',
  ],
  ["header matches", { type: "header", name: "Content-Type", pattern: "^application/json" }, {}, null],
  [
    "header differs",
    { type: "header", name: "content-type", pattern: "text/html" },
    {},
    'expected header content-type to match /text/html/, got "application/json; charset=utf-8"',
  ],
  [
    "header missing",
    { type: "header", name: "etag", pattern: "." },
    {},
    "expected header etag matching /./, it is missing",
  ],
  ["latency below", { type: "latencyBelow", ms: 100 }, {}, null],
  ["latency above", { type: "latencyBelow", ms: 40 }, {}, "expected latency below 40 ms, got 42.0 ms"],
  ["cert fresh", { type: "certDaysLeft", min: 30 }, { certValidTo: new Date(now + 90 * 86_400_000) }, null],
  [
    "cert expiring",
    { type: "certDaysLeft", min: 30 },
    { certValidTo: new Date(now + 10 * 86_400_000) },
    "expected certificate valid for at least 30 days, it has 10.0 days left",
  ],
  ["cert absent", { type: "certDaysLeft", min: 1 }, {}, "got no certificate"],
];

describe("assertions", () => {
  it.each(cases)("%s", (_title, assertion, over, expected) => {
    const result = evaluate(assertion, observation(over));
    if (expected === null) expect(result).toEqual({ ok: true });
    else {
      expect(result.ok).toBe(false);
      expect(result.ok ? "" : result.message).toContain(expected);
    }
  });

  it("evaluateAll reports the first failure", () => {
    const result = evaluateAll(
      [
        { type: "status", in: [200] },
        { type: "latencyBelow", ms: 10 },
        { type: "bodyContains", value: "zzz" },
      ],
      observation(),
    );
    expect(result).toEqual({ ok: false, message: "expected latency below 10 ms, got 42.0 ms" });
  });

  it("cuts long bodies short in messages", () => {
    const result = evaluate(
      { type: "bodyContains", value: "needle" },
      observation({ body: "x".repeat(5000) }),
    );
    expect(result.ok ? "" : result.message.length).toBeLessThan(250);
  });
});
