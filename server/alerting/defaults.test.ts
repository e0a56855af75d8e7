import { describe, expect, it } from "vitest";
import type { Rule } from "../../core/rule.ts";
import type { AlertData, ProbeSample, WindowSample } from "./data.ts";
import { defaultRules } from "./defaults.ts";
import { evaluateRule, RUN_ENDED, type TrackedAlert } from "./evaluate.ts";

function shipped(name: string): Rule {
  const spec = defaultRules.find((r) => r.name === name);
  if (!spec) throw new Error(`no default rule ${name}`);
  return { ...spec, id: name, builtin: true, createdAt: 0, updatedAt: 0 };
}

/** Evaluates `rule` once per second from 0 to `seconds`; `data(s)` is what the store holds at s. */
function replay(rule: Rule, seconds: number, data: (s: number) => AlertData) {
  let previous = new Map<string, TrackedAlert>();
  const events: Array<{ at: number; kind: string; alert: TrackedAlert }> = [];
  for (let s = 1; s <= seconds; s++) {
    const result = evaluateRule(rule, data(s), previous, s * 1000);
    for (const t of result.transitions) events.push({ at: s, kind: t.kind, alert: t.alert });
    previous = new Map(result.alerts.map((a) => [a.fingerprint, a]));
  }
  return events;
}

/** Two probes checking every 10 s and 15 s, with `totalMs(probe, at)` per check. */
function probeChecks(until: number, totalMs: (probe: string, at: number) => number): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (const [probe, every] of [
    ["catalog", 10],
    ["checkout-flow", 15],
  ] as const) {
    for (let at = every; at <= until; at += every) {
      const ms = totalMs(probe, at);
      out.push({
        probe,
        region: "local",
        target: "http://127.0.0.1:4100",
        at: at * 1000,
        ok: ms < 10_000,
        totalMs: ms,
      });
    }
  }
  return out;
}

const asData = (probes: ProbeSample[], s: number): AlertData => ({
  windows: [],
  metrics: [],
  probes: probes.filter((p) => p.at <= s * 1000),
});

describe("default probe rules", () => {
  it("ShopDown pages for a shop that stops answering, not for a checkout flow's two failed checks in a minute", () => {
    const every = { "shop-home": 10, "shop-checkout": 30 } as const;
    const checks = (failing: (probe: string, at: number) => boolean): ProbeSample[] =>
      Object.entries(every).flatMap(([probe, interval]) =>
        Array.from({ length: Math.floor(600 / interval) }, (_, i) => {
          const at = (i + 1) * interval;
          const ok = !failing(probe, at);
          return { probe, region: "local", target: "http://127.0.0.1:4100", at: at * 1000, ok, totalMs: 40 };
        }),
      );
    // A payment incident from 150 s to 210 s: both checkout-flow checks in it fail, the pages answer.
    const incident = checks((probe, at) => probe === "shop-checkout" && at >= 150 && at <= 210);
    const quiet = replay(shipped("ShopDown"), 600, (s) => asData(incident, s));
    expect(quiet.filter((e) => e.kind === "firing")).toEqual([]);
    // The shop gone from 300 s: every check of both probes fails.
    const down = checks((_probe, at) => at >= 300);
    const fired = replay(shipped("ShopDown"), 600, (s) => asData(down, s)).filter((e) => e.kind === "firing");
    expect(fired.map((e) => e.alert.labels.probe)).toEqual(["shop-home"]);
    expect(fired[0]!.at - 300).toBeLessThanOrEqual(60);
  });

  it("ProbeLatencyHigh does not fire on an idle shop on a busy machine (a slow check now and then)", () => {
    // Checks take 300-900 ms, and every fourth check of each probe takes 2.5-4 s (a busy 2-core machine).
    const probes = probeChecks(900, (probe, at) =>
      (at / (probe === "catalog" ? 10 : 15)) % 4 === 0 ? 2500 + (at % 1500) : 300 + (at % 600),
    );
    const events = replay(shipped("ProbeLatencyHigh"), 900, (s) => asData(probes, s));
    expect(events.filter((e) => e.kind === "firing")).toEqual([]);
  });

  it("ProbeLatencyHigh resolves within 90 s after the shop recovers from a 30 s freeze", () => {
    const freezeFrom = 300;
    const thawAt = 330;
    // During the freeze checks hang until their 10 s timeout; a frozen shop answers slowly for a while after.
    const probes = probeChecks(700, (_p, at) =>
      at >= freezeFrom && at < thawAt ? 10_000 : at >= thawAt && at < thawAt + 10 ? 3000 : 400,
    );
    // Make the freeze long enough to fire: slow checks from 240 s on.
    const slow = probes.map((p) =>
      p.at >= 240_000 && p.at < freezeFrom * 1000 ? { ...p, totalMs: 4000 } : p,
    );
    const events = replay(shipped("ProbeLatencyHigh"), 700, (s) => asData(slow, s));
    const fired = events.filter((e) => e.kind === "firing");
    expect(fired.length).toBeGreaterThan(0);
    const resolved = events.filter((e) => e.kind === "resolved");
    expect(resolved.length).toBe(fired.length);
    const lastResolved = Math.max(...resolved.map((e) => e.at));
    expect(lastResolved - (thawAt + 10)).toBeLessThanOrEqual(90);
  });
});

describe("run-scoped rules", () => {
  const windowsUntil = (runId: string, until: number, errors: number): WindowSample[] =>
    Array.from({ length: until }, (_, s) => ({
      runId,
      target: "http://127.0.0.1:4100",
      step: "checkout",
      worker: "w0",
      second: s,
      count: 20,
      errorCount: errors,
      targetRate: 20,
      achievedRate: 20,
      dropped: 0,
    }));

  for (const name of ["CheckoutErrorRate", "CheckoutErrorBudgetBurn"]) {
    it(`${name} resolves at once, annotated "run ended", when the run that caused it ends`, () => {
      const rule = shipped(name);
      // 30 % checkout errors for 120 s, then the run ends; its windows stay in the store, frozen.
      const stored = windowsUntil("spike", 120, 6);
      const events = replay(rule, 400, (s) => ({
        windows: stored.filter((w) => w.second < s),
        probes: [],
        metrics: [],
        endedRuns: s > 121 ? new Set(["spike"]) : new Set(),
      }));
      const fired = events.find((e) => e.kind === "firing");
      expect(fired, `${name} fired during the run`).toBeDefined();
      const resolved = events.find((e) => e.kind === "resolved");
      expect(resolved?.at).toBe(122);
      expect(resolved?.alert.annotations.resolution).toBe(RUN_ENDED);
      expect(events.filter((e) => e.kind === "firing")).toHaveLength(1);
    });
  }

  it("a burn-rate rule ignores runs that ended: frozen windows never start a new alert", () => {
    const stored = windowsUntil("old", 120, 6);
    const events = replay(shipped("CheckoutErrorBudgetBurn"), 200, (s) => ({
      windows: stored.filter((w) => w.second < s),
      probes: [],
      metrics: [],
      endedRuns: new Set(["old"]),
    }));
    expect(events).toEqual([]);
  });
});
