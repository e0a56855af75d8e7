import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProductPage } from "../../core/shop-api.ts";
import { loggedInClient, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

// Metrics do not depend on the database: PGlite is enough here.
describe("shop /metrics", () => {
  let t: TestShop;
  let families: Map<string, ParsedFamily>;
  /** The request histogram's per-series counts, as their own counter family (see below). */
  let requestCounts: ParsedFamily;

  beforeAll(async () => {
    t = await startTestShop("pglite");
    const client = new ShopClient(t.url);
    const ids = (await client.get<ProductPage>("/api/products?pageSize=3")).body.items.map((p) => p.id);
    for (const id of ids) await client.get(`/api/products/${id}`);
    await client.get("/no/such/route");
    await client.post("/api/auth/otp/request", { email: "stranger@example.com" });
    await client.post("/api/auth/otp/verify", { challengeId: crypto.randomUUID(), code: "123456" });
    const buyer = await loggedInClient(t, "customer1@shop.test");
    await buyer.post("/api/cart/items", { productId: ids[0], quantity: 1 });
    expect((await buyer.post("/api/checkout")).status).toBe(201);
    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    // The parser folds a labelled histogram's series into one bucket map, losing the labels;
    // its `_count` lines, parsed as a counter family of their own, keep them.
    const countLines = text
      .split("\n")
      .filter((line) => line.startsWith("http_request_duration_seconds_count{"));
    [requestCounts] = parsePrometheusTextFormat(
      ["# TYPE http_request_duration_seconds_count counter", ...countLines, ""].join("\n"),
    ) as [ParsedFamily];
  });
  afterAll(async () => t?.close());

  const samples = (name: string) => families.get(name)?.metrics ?? [];

  it("times requests by route template, method and status, never by raw path", () => {
    expect(families.get("http_request_duration_seconds")!.type).toBe("HISTOGRAM");
    const family = requestCounts;
    const routes = new Set(family.metrics.map((m) => m.labels!.route));
    expect(routes).toContain("/api/products/:id");
    expect(routes).toContain("/api/products");
    expect(routes).toContain("/api/checkout");
    expect(routes).toContain("unmatched");
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}|no\/such/);
    const detail = family.metrics.find((m) => m.labels!.route === "/api/products/:id")!;
    expect(detail.labels).toMatchObject({ method: "GET", status: "200" });
    expect(Number(detail.value)).toBe(3);
    const missing = family.metrics.find((m) => m.labels!.route === "unmatched")!;
    expect(missing.labels!.status).toBe("404");
  });

  it("reports requests in flight and event-loop lag", () => {
    expect(families.get("http_requests_in_flight")!.type).toBe("GAUGE");
    // The scrape itself is in flight while it is rendered.
    expect(Number(samples("http_requests_in_flight")[0]!.value)).toBeGreaterThanOrEqual(1);
    expect(families.has("nodejs_eventloop_lag_seconds")).toBe(true);
    expect(families.has("process_cpu_user_seconds_total")).toBe(true);
  });

  it("counts checkouts, payments and OTP events by outcome", () => {
    const value = (name: string, label: string, v: string) =>
      Number(samples(name).find((m) => m.labels?.[label] === v)?.value ?? 0);
    expect(value("shop_checkouts_total", "outcome", "paid")).toBe(1);
    expect(value("shop_payments_total", "outcome", "succeeded")).toBe(1);
    expect(value("shop_otp_total", "event", "issued")).toBe(1);
    expect(value("shop_otp_total", "event", "failed")).toBe(1);
  });
});
