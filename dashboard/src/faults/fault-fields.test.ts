import { describe, expect, it } from "vitest";
import { describeParams, draftOf, faultBody } from "./fault-fields.ts";

describe("fault fields", () => {
  it("edits ratios as percentages and sends them back as ratios", () => {
    const draft = draftOf("errors", { rate: 0.25, status: 503, routes: ["/api/cart"] });
    expect(draft).toEqual({ rate: "25", status: "503", routes: "/api/cart" });
    expect(faultBody("errors", { ...draft, rate: "10" })).toEqual({
      ok: true,
      body: { enabled: true, rate: 0.1, status: 503, routes: ["/api/cart"] },
    });
  });

  it("starts from the shop's defaults when a switch is off", () => {
    expect(draftOf("latency", undefined)).toEqual({
      fixedMs: "200",
      jitterMs: "0",
      probability: "100",
      routes: "",
    });
  });

  it("names the field that is out of range and sends nothing", () => {
    expect(faultBody("latency", { fixedMs: "-5", jitterMs: "0", probability: "100" })).toMatchObject({
      ok: false,
      field: "fixedMs",
      message: "Latency: a number from 0 to 60000 ms",
    });
    expect(faultBody("failing_product", { productId: "", status: "500" })).toMatchObject({
      ok: false,
      field: "productId",
    });
  });

  it("describes parameters with their units", () => {
    expect(describeParams("latency", { fixedMs: 250, jitterMs: 10, probability: 0.5, routes: [] })).toBe(
      "Latency 250 ms, Jitter 10 ms, Share 50 %",
    );
  });
});
