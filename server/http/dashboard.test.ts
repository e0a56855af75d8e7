import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dashboardRoutes } from "./dashboard.ts";

describe("dashboardRoutes", () => {
  const dir = mkdtempSync(join(tmpdir(), "pw-dist-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>dash</title>");
  writeFileSync(join(dir, "assets", "app-abc.js"), "console.log(1)");
  writeFileSync(join(tmpdir(), "pw-secret.txt"), "secret");
  const app = dashboardRoutes(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves the bundle with long-lived caching for hashed assets", async () => {
    const index = await app.request("/");
    expect(await index.text()).toMatch(/dash/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const asset = await app.request("/assets/app-abc.js");
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
  });

  it("falls back to index.html for client-side routes, assets included", async () => {
    expect(await (await app.request("/runs/run-1")).text()).toMatch(/dash/);
    expect(await (await app.request("/runs/assets/app-abc.js")).text()).toBe("console.log(1)");
  });

  it("never serves files outside the bundle, and leaves the API alone", async () => {
    expect((await app.request("/../pw-secret.txt")).status).toBe(404);
    expect((await app.request("/%2e%2e/pw-secret.txt")).status).toBe(404);
    expect((await app.request("/api/v1/nothing")).status).toBe(404);
  });

  it("says how to build the dashboard when there is no build", async () => {
    const bare = dashboardRoutes(join(dir, "missing"));
    expect(await (await bare.request("/")).text()).toMatch(/build-dashboard/);
  });

  it("answers a malformed percent-encoding with 404, not 500", async () => {
    expect((await app.request("/%E0%A4%A")).status).toBe(404);
  });

  it("sends a CSP without inline script, frame-ancestors none, nosniff and no referrer", async () => {
    const index = await app.request("/");
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
    expect(index.headers.get("referrer-policy")).toBe("no-referrer");
    expect(index.headers.get("x-frame-options")).toBe("DENY");
  });
});
