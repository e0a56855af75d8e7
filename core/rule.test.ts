import { describe, expect, it } from "vitest";
import { describeRuleCondition, formatRuleValue, type RuleSpec, RuleSpecSchema } from "./rule.ts";

const threshold = (query: Record<string, unknown>): RuleSpec =>
  RuleSpecSchema.parse({ name: "R", kind: "threshold", comparator: ">", threshold: 1, query });

describe("formatRuleValue: every value shown with its unit", () => {
  it.each([
    [{ source: "windows", stat: "error_rate", windowSeconds: 60 }, 0.2857, "28.6 %"],
    [{ source: "windows", stat: "p95", windowSeconds: 60 }, 1018.367, "1.02 s"],
    [{ source: "windows", stat: "p99", windowSeconds: 60 }, 912.4, "912 ms"],
    [{ source: "windows", stat: "rate", windowSeconds: 60 }, 6, "6/s"],
    [{ source: "windows", stat: "dropped", windowSeconds: 60 }, 7, "7 dropped"],
    [{ source: "probes", stat: "success_ratio", windowSeconds: 60 }, 0.5, "50 %"],
    [{ source: "probes", stat: "latency_p99", windowSeconds: 60 }, 12.4, "12 ms"],
    [
      { source: "metrics", stat: "max", series: "nodejs_eventloop_lag_p99_seconds", windowSeconds: 60 },
      0.1234,
      "0.123 s",
    ],
    // A backup's age of two days, as the HubBackupOverdue rule's threshold reads in the Rules panel.
    [
      { source: "metrics", stat: "last", series: "peakwatch_hub_backup_age_seconds", windowSeconds: 120 },
      2 * 24 * 3600,
      "2 d",
    ],
    [
      { source: "metrics", stat: "last", series: "process_resident_memory_bytes", windowSeconds: 60 },
      3 * 2 ** 20,
      "3 MiB",
    ],
    [{ source: "metrics", stat: "last", series: "http_requests_in_flight", windowSeconds: 60 }, 12, "12"],
  ])("%o: %d → %s", (query, value, text) => {
    expect(formatRuleValue(threshold(query), value)).toBe(text);
  });

  it("burn rates read as multiples of the budget, and no data says so", () => {
    const burn = RuleSpecSchema.parse({
      name: "B",
      kind: "burn_rate",
      objective: 0.99,
      windows: [{ longSeconds: 3600, shortSeconds: 300, factor: 14.4 }],
    });
    expect(formatRuleValue(burn, 31.8182)).toBe("31.8× budget");
    expect(formatRuleValue(burn, null)).toBe("no data");
  });
});

describe("describeRuleCondition: a rule's condition in words, with units", () => {
  it("words threshold and burn-rate rules", () => {
    const p95 = RuleSpecSchema.parse({
      name: "SlowCheckout",
      kind: "threshold",
      comparator: ">",
      threshold: 800,
      query: { source: "windows", stat: "p95", step: "checkout", windowSeconds: 60 },
    });
    expect(describeRuleCondition(p95)).toBe("p95 of checkout over 1 min > 800 ms");
    const errors = threshold({ source: "windows", stat: "error_rate", windowSeconds: 30 });
    expect(describeRuleCondition({ ...errors, threshold: 0.05 } as RuleSpec)).toBe(
      "error rate of whole journeys over 30 s > 5 %",
    );
    const burn = RuleSpecSchema.parse({
      name: "Burn",
      kind: "burn_rate",
      objective: 0.99,
      windows: [
        { longSeconds: 3600, shortSeconds: 300, factor: 14.4 },
        { longSeconds: 21_600, shortSeconds: 1800, factor: 6 },
      ],
    });
    expect(describeRuleCondition(burn)).toBe(
      "error budget of whole journeys (objective 99 %) burning faster than 14.4× over 1 h and 5 min, or 6× over 6 h and 30 min",
    );
  });
});
