import { describe, expect, it } from "vitest";
import { parseProfile } from "../../core/profile.ts";
import { lineParser, sniffFormat } from "./access-log.ts";
import { stageRateAt } from "./curve.ts";
import { ProfileDeriver } from "./derive.ts";
import { exampleLog } from "./example-log.ts";
import { RouteMap } from "./routes.ts";
import { Sessioniser } from "./sessions.ts";

function derive(lines: string[], options: { scale?: number; compress?: number } = {}) {
  const parse = lineParser(sniffFormat(lines[0]!));
  const deriver = new ProfileDeriver();
  const sessioniser = new Sessioniser(new RouteMap(), deriver.add);
  let unparsed = 0;
  for (const line of lines) {
    const r = parse(line);
    if (r.ok) sessioniser.add(r.request);
    else unparsed++;
  }
  sessioniser.end();
  return deriver.derive(sessioniser.tally, {
    name: "example",
    files: 1,
    lines: lines.length,
    unparsedLines: unparsed,
    ...options,
  });
}

describe("profile from an example day", () => {
  const { lines, truth } = exampleLog();
  const { profile, derivedFrom } = derive(lines);

  it("is a valid profile the generator can run", () => {
    const r = parseProfile(profile);
    expect(r.ok, r.ok ? "" : r.error).toBe(true);
    expect(profile.stages!.length).toBeLessThanOrEqual(100);
  });

  it("follows the log's arrival curve within 5 % of its peak, and finds the peak", () => {
    const stages = profile.stages as { duration: number; rate: number }[];
    const curve = { startRate: profile.startRate!, stages };
    const bucket = derivedFrom.bucketSeconds;
    const offset = (Date.parse(derivedFrom.firstRequest) - truth.startMs) / 1000;
    let worst = 0;
    // Stages run through bucket middles: profile time 0 is the middle of the first bucket.
    for (let t = 0; t <= stages.length * bucket; t += bucket / 3) {
      const logSeconds = offset + bucket / 2 + t;
      if (logSeconds > truth.seconds - bucket) break;
      worst = Math.max(worst, Math.abs(stageRateAt(curve, t) - truth.rateAt(logSeconds)) / truth.peakRate);
    }
    expect(worst).toBeLessThan(0.05);
    console.log(`curve: worst deviation ${(worst * 100).toFixed(2)} % of the peak`);
    expect(Math.abs(derivedFrom.peak.rate - truth.peakRate) / truth.peakRate).toBeLessThan(0.05);
    const peakAt = (Date.parse(derivedFrom.peak.at) - truth.startMs) / 1000;
    expect(Math.abs(peakAt - truth.peakAtSeconds)).toBeLessThan(3600);
  });

  it("matches the journey mix and the logged-in and checkout shares within 5 %", () => {
    for (const [journey, share] of Object.entries(truth.mix)) {
      const derived = derivedFrom.journeyShares[journey] ?? 0;
      expect(Math.abs(derived - share) / share, journey).toBeLessThan(0.05);
    }
    const weights = Object.fromEntries(profile.journeys!.map((j) => [j.name, j.weight!]));
    expect(Math.abs(weights.checkout! / 100 - truth.checkoutShare) / truth.checkoutShare).toBeLessThan(0.05);
    expect(Math.abs(derivedFrom.checkoutShare - truth.checkoutShare) / truth.checkoutShare).toBeLessThan(
      0.05,
    );
    expect(Math.abs(derivedFrom.loggedInShare - truth.loggedInShare) / truth.loggedInShare).toBeLessThan(
      0.05,
    );
  });

  it("measures think time between steps and uses its spread in the profile", () => {
    const checkout = derivedFrom.thinkTime.checkout!;
    expect(checkout.count).toBeGreaterThan(100);
    expect(Math.abs(checkout.p50 - truth.medianThinkSeconds) / truth.medianThinkSeconds).toBeLessThan(0.15);
    const journey = profile.journeys!.find((j) => j.name === "checkout")!;
    expect(journey.thinkTime).toEqual({ min: checkout.p10, max: checkout.p90 });
  });

  it("counts unknown routes under redacted shapes and leaves scanners out", () => {
    const routes = derivedFrom.unknownRoutes.top.map((r) => r.route);
    expect(routes).toContain("GET /account/reset/:x");
    // Scanners' `/wp-login.php` and `/.env` are not plain words either.
    expect(routes).toContain("GET /:x");
    expect(derivedFrom.unknownRoutes.requests).toBeGreaterThan(0);
    expect(derivedFrom.sessionsWithoutSteps).toBeGreaterThan(0);
  });

  it("lets no address, email or token of the log reach the profile", () => {
    const text = JSON.stringify(profile);
    const secrets = new Set<string>();
    for (const line of lines) {
      secrets.add(line.split(" ")[0]!);
      for (const m of line.matchAll(/(?:email|subscriber)=([^&\s"]+)/g)) {
        secrets.add(m[1]!);
        secrets.add(decodeURIComponent(m[1]!));
      }
      for (const m of line.matchAll(/[0-9a-f]{32,}/g)) secrets.add(m[0]);
    }
    expect(secrets.size).toBeGreaterThan(1000);
    const leaked = [...secrets].filter((s) => text.includes(s));
    expect(leaked).toEqual([]);
    expect(text).not.toMatch(/@|\d+\.\d+\.\d+\.\d+/);
  });

  it("scales the curve and compresses the day while keeping its shape", () => {
    const { profile: scaled, derivedFrom: d } = derive(lines, { scale: 3, compress: 60 });
    const base = profile.stages as { duration: number; rate: number }[];
    const fast = scaled.stages as { duration: number; rate: number }[];
    expect(fast.length).toBe(base.length);
    fast.forEach((s, i) => {
      expect(s.duration).toBeCloseTo(base[i]!.duration / 60, 2);
      expect(s.rate).toBeCloseTo(base[i]!.rate * 3, 2);
    });
    expect(d.peak.rate).toBeCloseTo(derivedFrom.peak.rate * 3, 2);
    expect(fast.reduce((sum, s) => sum + s.duration, 0)).toBeLessThan(25 * 60);
  });
});

describe("JSON lines", () => {
  it("derive the same mix as the combined format", () => {
    const combined = derive(exampleLog({ hours: 6 }).lines).derivedFrom;
    const json = derive(exampleLog({ hours: 6, format: "json" }).lines).derivedFrom;
    expect(json.sessions).toBe(combined.sessions);
    expect(json.journeyShares).toEqual(combined.journeyShares);
  });
});
