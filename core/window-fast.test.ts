import { describe, expect, it } from "vitest";
import { encodeHistogram, newHistogram, recordMicros } from "./histogram.ts";
import { seededRandom } from "./seeded-random.ts";
import { WindowSchema } from "./window.ts";
import { fastWindow } from "./window-fast.ts";

function histogram(values: number[]): string {
  const h = newHistogram();
  for (const v of values) recordMicros(h, v);
  return encodeHistogram(h);
}

/** A valid window with every optional field: what a current generator sends. */
function full(): Record<string, unknown> {
  return {
    runId: "run-1",
    step: "checkout",
    worker: "w0",
    second: 1_700_000_000,
    count: 5,
    errors: { connect: 0, timeout: 1, http4xx: 0, http5xx: 1, assertion: 0 },
    bytes: 5000,
    targetRate: 5.5,
    achievedRate: 4.75,
    dropped: 1,
    latency: histogram([1000, 2000, 3000]),
    service: histogram([900, 1900]),
    causes: { timeout_total: { count: 1, message: "took too long" }, http_503: { count: 1 } },
    failedLatency: histogram([5000, 9000]),
  };
}

/** Values that break some field's rule, or sit exactly on its bounds. */
const oddValues: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "bad name!",
  "a".repeat(101),
  -1,
  0,
  -0,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  [],
  {},
  true,
  "AAAA",
  histogram([1000]),
  histogram([1000, 2000, 3000, 4000, 5000]),
  { count: 1 },
  { count: -1 },
  { count: 1, message: 7 },
  { count: 1, message: "m".repeat(301) },
  { refused: { count: 1 } },
  { "not a cause": { count: 1 } },
  { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
  { connect: 9, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
  { connect: 0, timeout: 0, http4xx: 0, http5xx: 0 },
];

const fields = [...Object.keys(full()), "extra", "journey-step"];

describe("fastWindow", () => {
  it("accepts a current generator's window as the schema does, to the same value", () => {
    const item = full();
    expect(fastWindow(item)).toEqual(WindowSchema.parse(item));
    expect(JSON.stringify(fastWindow(item))).toBe(JSON.stringify(WindowSchema.parse(item)));
    const { service: _s, causes: _c, failedLatency: _f, ...legacy } = item;
    expect(fastWindow({ ...legacy, count: 3 })).toEqual(WindowSchema.parse({ ...legacy, count: 3 }));
  });

  it("never accepts what WindowSchema refuses, and never differs from it when it accepts", () => {
    const random = seededRandom(18);
    let fastAccepted = 0;
    let schemaAccepted = 0;
    for (let i = 0; i < 3000; i++) {
      const item = full();
      // One to three fields changed at once, sometimes nested, sometimes deleted.
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const field = fields[Math.floor(random() * fields.length)]!;
        const value = oddValues[Math.floor(random() * oddValues.length)];
        if (field === "journey-step") item.step = "journey";
        else if (value === undefined && random() < 0.5) delete item[field];
        else if (field === "errors" && random() < 0.5)
          item.errors = { ...(item.errors as object), http4xx: value };
        else if (field === "causes" && random() < 0.5)
          item.causes = { ...(item.causes as object), http_503: value };
        else item[field] = value;
      }
      const fast = fastWindow(item);
      const schema = WindowSchema.safeParse(item);
      if (schema.success) schemaAccepted++;
      if (fast === undefined) continue;
      fastAccepted++;
      expect(schema.success, JSON.stringify(item)).toBe(true);
      expect(fast).toEqual(schema.data);
    }
    // The comparison is not vacuous: both sides accept and refuse plenty.
    expect(fastAccepted).toBeGreaterThan(150);
    expect(schemaAccepted).toBeLessThan(2900);
  });
});
