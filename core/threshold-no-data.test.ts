import { describe, expect, it } from "vitest";
import { thresholdNoData } from "./threshold-no-data.ts";

describe("thresholdNoData", () => {
  const steps = {
    checkout: { count: 40, causes: { refused: { count: 40 } } },
    search: { count: 0, causes: {} },
  };
  const requests = { count: 40, causes: { refused: { count: 40 } } };

  it("says every request of the step failed, and of what", () => {
    expect(thresholdNoData("p95(checkout) < 800ms", steps, requests)).toBe(
      "no data: no successful request: 40 × connection refused",
    );
    expect(thresholdNoData("p99 < 1s", steps, requests)).toBe(
      "no data: no successful request: 40 × connection refused",
    );
  });

  it("says when the step sent nothing or never ran (a misspelt step)", () => {
    expect(thresholdNoData("p95(search) < 800ms", steps, requests)).toBe("no data: no request");
    expect(thresholdNoData("p95(chekout) < 800ms", steps, requests)).toBe(
      'no data: no step "chekout" ran in this run',
    );
  });

  it("stays plain without the run's totals", () => {
    expect(thresholdNoData("p95(checkout) < 800ms", undefined, undefined)).toBe("no data");
  });
});
