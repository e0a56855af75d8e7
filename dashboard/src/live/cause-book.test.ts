import { describe, expect, it } from "vitest";
import type { LiveStep } from "../../../core/live.ts";
import { CauseBook } from "./cause-book.ts";

const live = (count: number, causes: LiveStep["causes"]): LiveStep => ({
  count,
  errors: Object.values(causes).reduce((n, c) => n + c.count, 0),
  errorRate: 0,
  p50: 1,
  p95: 1,
  p99: 1,
  max: 1,
  targetRate: 0,
  achievedRate: 0,
  dropped: 0,
  workers: 1,
  causes,
});

describe("CauseBook", () => {
  it("adds live seconds after the REST totals, and a second pushed twice replaces itself", () => {
    const book = new CauseBook();
    book.reset(
      { checkout: { count: 90, dropped: 0, causes: { http_503: { count: 9, message: "HTTP 503" } } } },
      100,
    );
    book.put(100, { checkout: live(10, { http_503: { count: 10 } }) }); // already in the totals
    book.put(101, { checkout: live(10, { http_503: { count: 1 } }) });
    book.put(101, {
      checkout: live(10, { http_503: { count: 1 }, refused: { count: 1, message: "ECONNREFUSED" } }),
    });
    expect(book.rows()).toEqual([
      {
        step: "checkout",
        cause: "http_503",
        label: "HTTP 503",
        count: 10,
        share: 0.1,
        lastMessage: "HTTP 503",
      },
      {
        step: "checkout",
        cause: "refused",
        label: "connection refused",
        count: 1,
        share: 0.01,
        lastMessage: "ECONNREFUSED",
      },
    ]);
  });
});
