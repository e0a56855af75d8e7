import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadProfile } from "./profile-loader.ts";

describe("loadProfile", () => {
  const dir = mkdtempSync(join(tmpdir(), "pw-profiles-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds built-in profiles by name", () => {
    const r = loadProfile("holiday-spike");
    expect(r.ok && r.profile.journeys.some((j) => j.name === "checkout")).toBe(true);
  });

  it("reads YAML and JSON files", () => {
    const yaml = join(dir, "p.yaml");
    writeFileSync(
      yaml,
      "name: y\nstages:\n  - { duration: 30s, rate: 10 }\njourneys:\n  - name: product\nthresholds:\n  - p95 < 1s\n",
    );
    const r = loadProfile(yaml);
    expect(r.ok && r.profile.stages[0]).toEqual({ duration: 30, rate: 10 });
  });

  it("names the profile and the bad field's path", () => {
    const yaml = join(dir, "bad.yaml");
    writeFileSync(
      yaml,
      "name: y\nstages:\n  - { duration: 30s, rate: 10 }\njourneys:\n  - name: product\n    weight: -1\n",
    );
    const r = loadProfile(yaml);
    expect(r.ok || r.error).toMatch(/^profile .*bad\.yaml: journeys\[0\]\.weight: /);
    const unknown = loadProfile("holiday");
    expect(unknown.ok || unknown.error).toMatch(/unknown profile "holiday": use one of smoke, baseline/);
  });
});
