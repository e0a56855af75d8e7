import { describe, expect, it } from "vitest";
import { parseRoute, routeHref } from "./router.ts";

describe("parseRoute", () => {
  it("falls back to the summary for an empty or unknown hash", () => {
    expect(parseRoute("").view).toBe("summary");
    expect(parseRoute("").unknown).toBeUndefined();
    expect(parseRoute("#/nowhere/else")).toMatchObject({ view: "summary", unknown: "nowhere/else" });
  });

  it("takes #/history, the navigation's name for the run list", () => {
    expect(parseRoute("#/history").view).toBe("history");
  });

  it("reads a run id and a query", () => {
    const route = parseRoute("#/live/run-1?step=checkout");
    expect(route).toMatchObject({ view: "live", id: "run-1" });
    expect(route.query.get("step")).toBe("checkout");
  });

  it("tells the run list from one run", () => {
    expect(parseRoute("#/runs").view).toBe("history");
    expect(parseRoute("#/runs/abc")).toMatchObject({ view: "run", id: "abc" });
  });

  it("round-trips every href it builds", () => {
    expect(parseRoute(routeHref("run", "a b"))).toMatchObject({ view: "run", id: "a b" });
    expect(parseRoute(routeHref("history")).view).toBe("history");
    const compare = parseRoute(routeHref("compare", "", { a: "r1", b: "r2" }));
    expect(compare.view).toBe("compare");
    expect(compare.query.get("b")).toBe("r2");
  });
});
