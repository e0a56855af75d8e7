import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseExposition } from "./exposition.ts";

describe("parseExposition", () => {
  it("keeps every label of histogram parts, whatever their order", async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: "h",
      help: "d",
      labelNames: ["status"],
      buckets: [1],
      registers: [registry],
    });
    h.observe({ status: "503" }, 0.5);
    h.observe({ status: "200" }, 2);
    const samples = parseExposition(await registry.metrics());
    expect(samples.filter((s) => s.name === "h_count")).toEqual([
      { name: "h_count", labels: { status: "503" }, value: 1 },
      { name: "h_count", labels: { status: "200" }, value: 1 },
    ]);
    expect(samples).toContainEqual({ name: "h_bucket", labels: { le: "+Inf", status: "200" }, value: 1 });
  });

  it("reads escapes, special values and timestamps", () => {
    const text = 'a{path="C:\\\\x",msg="say \\"hi\\"\\n"} +Inf 1395066363000\nb NaN\nc -1.5e3\n';
    const [a, b, c] = parseExposition(text);
    expect(a).toEqual({
      name: "a",
      labels: { path: "C:\\x", msg: 'say "hi"\n' },
      value: Number.POSITIVE_INFINITY,
    });
    expect(b!.value).toBeNaN();
    expect(c!.value).toBe(-1500);
  });

  it("names the bad line", () => {
    expect(() => parseExposition("ok 1\nbad{x=1} 2")).toThrow(/line 2/);
  });
});
