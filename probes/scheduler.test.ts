import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Probe, ProbeSchema } from "../core/probe.ts";
import type { ProbeResult } from "../core/probe-result.ts";
import type { CheckOutcome } from "./kinds/kind.ts";
import { Scheduler } from "./scheduler.ts";

const probe = (name: string, over: Record<string, unknown> = {}): Probe =>
  ProbeSchema.parse({ kind: "http", name, url: "http://127.0.0.1:9/", ...over });
const outcome = (ok: boolean): CheckOutcome => ({
  ok,
  phases: { dns: 0, connect: 0, tls: 0, firstByte: 0, transfer: 0, total: 0 },
});

describe("Scheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const scheduler = (
    probes: Probe[],
    check: (p: Probe, s: AbortSignal) => Promise<CheckOutcome>,
    random = () => 0,
  ) => {
    const results: ProbeResult[] = [];
    const skipped: string[] = [];
    const starts: Array<[string, number]> = [];
    const s = new Scheduler({
      probes,
      region: "eu-1",
      concurrency: 2,
      context: { env: {}, random: Math.random, wallNow: Date.now },
      onResult: (r) => results.push(r),
      onSkip: (p) => skipped.push(p.name),
      check: (p, signal) => {
        starts.push([p.name, Date.now()]);
        return check(p, signal);
      },
      now: () => Date.now(),
      wallNow: () => Date.now(),
      random,
    });
    return { s, results, skipped, starts };
  };

  it("starts each check within its jitter after its slot, without drift", async () => {
    const randoms = [0.5, 0.1, 0.9, 0.0];
    let i = 0;
    const { s, starts } = scheduler(
      [probe("a", { interval: 1000, jitter: 200 })],
      async () => outcome(true),
      () => randoms[i++ % randoms.length]!,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(3500);
    await s.stop();
    const t0 = 1_000_000;
    expect(starts.map(([, t]) => t - t0)).toEqual([100, 1020, 2180, 3000]);
  });

  it("gives every result an id, the region and the state after thresholds", async () => {
    let n = 0;
    const { s, results } = scheduler(
      [probe("a", { interval: 1000, jitter: 0, failureThreshold: 2 })],
      async () => outcome(n++ === 0),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(2500);
    await s.stop();
    expect(results.map((r) => [r.ok, r.state])).toEqual([
      [true, "up"],
      [false, "up"],
      [false, "down"],
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(3);
    expect(results.every((r) => r.region === "eu-1" && r.target === "http://127.0.0.1:9/")).toBe(true);
  });

  it("skips a slot while the probe's previous check still runs, and never delays other probes", async () => {
    const { s, starts, skipped } = scheduler(
      [probe("slow", { interval: 1000, jitter: 0 }), probe("fast", { interval: 1000, jitter: 0 })],
      // The slow check takes 2.5 intervals (its timeout is tested against real servers in test/probes).
      (p, signal) =>
        p.name === "slow"
          ? new Promise((resolve) => {
              setTimeout(() => resolve(outcome(false)), 2500);
              signal.addEventListener("abort", () => resolve(outcome(false)));
            })
          : Promise.resolve(outcome(true)),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(3500);
    await s.stop();
    expect(starts.filter(([n]) => n === "fast").map(([, t]) => t - 1_000_000)).toEqual([0, 1000, 2000, 3000]);
    expect(starts.filter(([n]) => n === "slow").map(([, t]) => t - 1_000_000)).toEqual([0, 3000]);
    expect(skipped).toEqual(["slow", "slow"]);
  });

  it("runs at most `concurrency` checks at once", async () => {
    let running = 0;
    let peak = 0;
    const probes = ["a", "b", "c", "d", "e"].map((n) => probe(n, { interval: 1000, jitter: 0 }));
    const { s, results } = scheduler(probes, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 100));
      running--;
      return outcome(true);
    });
    s.start();
    await vi.advanceTimersByTimeAsync(900);
    await s.stop();
    expect(peak).toBe(2);
    expect(results).toHaveLength(5);
  });

  it("updates the probe set in place: unchanged keep their timer, changed restart, removed stop, new start", async () => {
    const { s, starts } = scheduler(
      [
        probe("keep", { interval: 1000, jitter: 0 }),
        probe("change", { interval: 1000, jitter: 0 }),
        probe("drop", { interval: 1000, jitter: 0 }),
      ],
      async () => outcome(true),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(1500);
    s.update([
      probe("keep", { interval: 1000, jitter: 0 }),
      probe("change", { interval: 300, jitter: 0 }),
      probe("new", { interval: 1000, jitter: 0 }),
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    await s.stop();
    const at = (name: string) => starts.filter(([n]) => n === name).map(([, t]) => t - 1_000_000);
    expect(at("keep")).toEqual([0, 1000, 2000]);
    expect(at("change")).toEqual([0, 1000, 1500, 1800, 2100, 2400]);
    expect(at("drop")).toEqual([0, 1000]);
    expect(at("new")).toEqual([1500, 2500]);
    expect(s.states().map((x) => x.probe.name)).toEqual(["keep", "change", "new"]);
  });
});
