import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Profile, type ProfileInput, parseProfile } from "../../core/profile.ts";
import type { Window } from "../../core/window.ts";
import { type RunOptions, type RunOutcome, runLoad } from "../../loadgen/runner.ts";

export interface TargetOptions {
  /** Answer every request after this many ms. */
  delayMs?: number;
  /** Serve one request at a time, each taking this many ms: capacity is 1000 / serialMs per second. */
  serialMs?: number;
  /** Hold responses while inside a stall: stalls of `stallMs` every `stallEveryMs`, the first `stallAfterMs` after the first request. */
  stall?: { everyMs: number; forMs: number; afterMs: number };
}

/** A bare node:http target on 127.0.0.1:0 that records when each request arrived. */
export interface TestTarget {
  url: string;
  /** Arrival times (performance.now() + timeOrigin, ms) in order. */
  arrivals: number[];
  /** `METHOD /path` of every request to /admin/* (fault API calls). */
  adminCalls: string[];
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startTestTarget(options: TargetOptions = {}): Promise<TestTarget> {
  const arrivals: number[] = [];
  const adminCalls: string[] = [];
  let busyUntil = 0;
  const server: Server = createServer((req, res) => {
    const t = now();
    req.resume();
    if (req.url?.startsWith("/admin/")) {
      adminCalls.push(`${req.method} ${req.url}`);
      res.setHeader("content-type", "application/json");
      res.end("{}");
      return;
    }
    // The generator's warm-up before the start instant is not part of any run's traffic.
    if (req.headers["x-peakwatch-warm-up"]) {
      res.end("ok");
      return;
    }
    arrivals.push(t);
    const respond = () => {
      res.setHeader("content-type", "text/plain");
      res.end("ok");
    };
    const stall = options.stall;
    if (options.serialMs) {
      busyUntil = Math.max(busyUntil, t) + options.serialMs;
      setTimeout(respond, busyUntil - t);
      return;
    }
    if (options.delayMs) {
      setTimeout(respond, options.delayMs);
      return;
    }
    if (!stall) return respond();
    const since = t - arrivals[0]! - stall.afterMs;
    const phase = since < 0 ? -1 : since % stall.everyMs;
    if (phase >= 0 && phase < stall.forMs) setTimeout(respond, stall.forMs - phase);
    else respond();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    adminCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A validated profile of one plain GET step against a test target. */
export function getProfile(overrides: Partial<ProfileInput>): Profile {
  const r = parseProfile({
    name: "test",
    journeys: [{ name: "hit", steps: [{ name: "get", path: "/" }] }],
    stages: [{ duration: 1, rate: 1 }],
    ...overrides,
  });
  if (!r.ok) throw new Error(r.error);
  return r.profile;
}

/** Runs a profile in this process with a throwaway data and output directory; collects every window. */
export async function runInProcess(
  profile: Profile,
  target: string,
  extra: Partial<RunOptions> = {},
): Promise<RunOutcome & { windows: Window[] }> {
  const dir = mkdtempSync(join(tmpdir(), "pw-loadgen-"));
  const windows: Window[] = [];
  try {
    const outcome = await runLoad({
      profile,
      profileName: profile.name,
      target,
      runId: `t-${Date.now().toString(36)}`,
      dataDir: dir,
      outDir: join(dir, "out"),
      log: () => {},
      sinks: [{ accept: (ws) => windows.push(...ws) }],
      ...extra,
    });
    return { ...outcome, windows };
  } finally {
    if (!extra.outDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts of `times` in consecutive bins of `binMs` starting at `from`. */
export function bins(times: ReadonlyArray<number>, from: number, binMs: number, count: number): number[] {
  const out = new Array<number>(count).fill(0);
  for (const t of times) {
    const i = Math.floor((t - from) / binMs);
    if (i >= 0 && i < count) out[i]!++;
  }
  return out;
}

/**
 * Runs a timing measurement while watching this process's event loop. On a machine so loaded
 * that the process itself is descheduled (a stall longer than `maxStallMs`), no generator can
 * keep a schedule and the measurement says nothing about ours: it is repeated, up to `tries`
 * times. The result of the last attempt is returned with the worst stall seen in it, so an
 * assertion failing on a starved attempt can say why.
 */
export async function measureUnstalled<T>(
  attempt: () => Promise<T>,
  options: { maxStallMs?: number; tries?: number } = {},
): Promise<{ result: T; stallMs: number }> {
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const maxStallMs = options.maxStallMs ?? 60;
  const tries = options.tries ?? 3;
  for (let i = 1; ; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const result = await attempt();
    histogram.disable();
    const stallMs = histogram.max / 1e6;
    if (stallMs <= maxStallMs || i >= tries) return { result, stallMs };
    console.warn(
      `timing attempt ${i}: the event loop stalled ${stallMs.toFixed(0)} ms (machine overloaded); repeating`,
    );
  }
}
