import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProfile } from "../../loadgen/profile-loader.ts";
import { peakwatch } from "../helpers/cli.ts";

describe("peakwatch profile (command line)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pw-profile-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("turns an example day's log into a profile that `peakwatch run` accepts, tripled and played 60× faster", async () => {
    const log = join(dir, "access.log");
    const made = await peakwatch(["profile", "example-log", "--out", log]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/peak 0\.2 sessions\/s/);

    const out = join(dir, "black-friday.yaml");
    const r = await peakwatch([
      "profile",
      "from-log",
      log,
      "--scale",
      "3",
      "--compress",
      "60x",
      "--out",
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/peak 0\.5\d+ sessions\/s/);
    expect(r.stdout).toMatch(/requests on unknown routes/);
    expect(r.stdout).toMatch(/GET \/account\/reset\/:x/);

    const loaded = loadProfile(out);
    expect(loaded.ok, loaded.ok ? "" : loaded.error).toBe(true);
    if (!loaded.ok) return;
    const p = loaded.profile;
    expect(p.name).toBe("black-friday");
    const seconds = p.stages.reduce((s, x) => s + x.duration, 0);
    expect(seconds).toBeGreaterThan(20 * 60);
    expect(seconds).toBeLessThan(25 * 60);
    expect(p.derivedFrom?.peak.rate).toBeCloseTo(Math.max(...p.stages.map((s) => s.rate ?? 0)), 1);
    const text = readFileSync(out, "utf8");
    expect(text).not.toMatch(/@example\.com|\d+\.\d+\.\d+\.\d+|token=|Mozilla/);
  }, 60_000);

  it("names the flag at fault and refuses a log with no known route", async () => {
    const bad = await peakwatch([
      "profile",
      "from-log",
      join(dir, "x.log"),
      "--out",
      join(dir, "x.yaml"),
      "--compress",
      "fast",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--compress: expected a factor such as "60x"/);
    // A profile `peakwatch run` could not read by its name is refused before any work.
    const txt = await peakwatch(["profile", "from-log", join(dir, "x.log"), "--out", join(dir, "x.txt")]);
    expect(txt.code).toBe(2);
    expect(txt.stderr).toMatch(/--out .*x\.txt: end the name in \.yaml or \.json/);

    const only = join(dir, "scanners.log");
    writeFileSync(
      only,
      '203.0.113.9 - - [28/Nov/2025:10:00:00 +0000] "GET /wp-login.php HTTP/1.1" 404 10 "-" "bot"\n',
    );
    const none = await peakwatch(["profile", "from-log", only, "--out", join(dir, "none.yaml")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no session in the logs matched a known route: check --routes/);
  }, 60_000);
});
