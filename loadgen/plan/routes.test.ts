import { describe, expect, it } from "vitest";
import { parseCombinedLine, parseJsonLine } from "./access-log.ts";
import { parseRouteMap, RouteMap, redactPath } from "./routes.ts";

describe("access log lines", () => {
  it("reads a combined line with its UTC offset and drops the query string", () => {
    const r = parseCombinedLine(
      '203.0.113.7 - alice [28/Nov/2025:20:30:05 -0500] "GET /search?q=lamp&email=a%40b.c HTTP/2.0" 200 512 "-" "Mozilla/5.0 (X11)"',
    );
    expect(r).toEqual({
      ok: true,
      request: {
        time: Date.parse("2025-11-29T01:30:05Z"),
        client: "203.0.113.7 Mozilla/5.0 (X11)",
        method: "GET",
        path: "/search",
        status: 200,
        authenticated: true,
      },
    });
  });

  it("reads JSON lines with the field names it is given", () => {
    const line = JSON.stringify({
      ts: 1764379805.5,
      ip: "198.51.100.1",
      req: "POST /checkout?t=x HTTP/1.1",
      code: 303,
    });
    const fields = {
      time: ["ts"],
      client: ["ip"],
      userAgent: [],
      method: [],
      path: [],
      request: ["req"],
      status: ["code"],
      user: [],
    };
    expect(parseJsonLine(line, fields)).toMatchObject({
      ok: true,
      request: { time: 1764379805500, method: "POST", path: "/checkout", status: 303, authenticated: false },
    });
    expect(parseJsonLine("{}", fields)).toEqual({ ok: false, reason: "no time field (ts)" });
  });
});

describe("route map", () => {
  it("maps route templates to steps, ignores assets and reports the rest redacted", () => {
    const map = new RouteMap();
    expect(map.match("GET", "/product/3f6c-11aa")).toEqual({ kind: "step", step: "product" });
    expect(map.match("POST", "/api/checkout")).toEqual({ kind: "step", step: "checkout" });
    expect(map.match("GET", "/static/app.js")).toEqual({ kind: "ignored" });
    expect(map.match("GET", "/account/reset/9f86d081884c7d659a2feaa0c55ad015")).toEqual({
      kind: "unknown",
      shape: "GET /account/reset/:x",
    });
  });

  it("takes a user's mapping and names the bad field of a wrong one", () => {
    const r = parseRouteMap({ routes: [{ match: "GET /sku/:id", step: "product" }], ignore: ["/img/*"] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.map.match("GET", "/sku/123")).toEqual({ kind: "step", step: "product" });
    const bad = parseRouteMap({ routes: [{ match: "GET /sku/:id", step: "basket" }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^routes\.0\.step: /);
  });

  it("keeps only plain words of a path", () => {
    expect(redactPath("/u/jane.doe@example.com/orders/ORD-123")).toBe("/u/:x/orders/:x");
  });
});
