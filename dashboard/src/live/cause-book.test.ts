import { describe, expect, it } from "vitest";
import type { LiveStep } from "../../../core/live.ts";
import { CauseBook } from "./cause-book.ts";
import { ALL_REQUESTS } from "./step-figures.ts";

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
  it("gives a step's causes of the newest live second, for a figure that has none", () => {
    const book = new CauseBook();
    expect(book.newest("checkout")).toBeUndefined();
    book.put(7, { checkout: live(4, { http_503: { count: 4 } }) });
    book.put(8, { checkout: live(40, { refused: { count: 40 } }) });
    book.put(6, { checkout: live(1, {}) }); // a late worker's older second
    expect(book.newest("checkout")).toEqual({ refused: { count: 40 } });
    expect(book.newest("search")).toBeUndefined();
    book.put(9, {
      journey: live(2, { dropped: { count: 2 } }),
      products: live(3, { refused: { count: 3 } }),
      search: live(1, { refused: { count: 1 } }),
    });
    expect(book.newest(ALL_REQUESTS)).toEqual({ refused: { count: 4 } });
  });

  it("names the run's totals for a finished run opened afterwards (no live second), marked whole", () => {
    const book = new CauseBook();
    book.reset(
      {
        journey: { count: 0, dropped: 0, causes: {} },
        products: { count: 53, dropped: 0, causes: { refused: { count: 50 }, http_503: { count: 3 } } },
        search: { count: 5, dropped: 0, causes: { refused: { count: 5 } } },
      },
      100,
    );
    expect(book.causesFor("products")).toEqual({
      causes: { refused: { count: 50 }, http_503: { count: 3 } },
      whole: true,
    });
    expect(book.causesFor(ALL_REQUESTS)).toEqual({
      causes: { refused: { count: 55 }, http_503: { count: 3 } },
      whole: true,
    });
    book.put(101, { products: live(2, { refused: { count: 2 } }) });
    expect(book.causesFor("products")).toEqual({ causes: { refused: { count: 2 } }, whole: false });
  });

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
