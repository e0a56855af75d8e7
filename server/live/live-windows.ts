import type { LiveStep } from "../../core/live.ts";
import { JOURNEY_STEP, summarizeWindows, type Window } from "../../core/window.ts";
import type { LiveHub } from "./live-hub.ts";

/** Seconds of recent windows kept per run so late workers still merge into their second. */
const KEEP_SECONDS = 10;

interface RunBuffer {
  /** second → step → worker → window */
  seconds: Map<number, Map<string, Map<string, Window>>>;
  /** Seconds that changed since the last push. */
  dirty: Set<number>;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Merges one second of one step across workers: counts summed, percentiles from merged histograms. */
export function liveStep(windows: ReadonlyArray<Window>): LiveStep {
  const summary = summarizeWindows(windows);
  const errors = Object.values(summary.errors).reduce((a, b) => a + b, 0);
  return {
    count: summary.count,
    errors,
    errorRate: summary.errorRate,
    p50: summary.latency.p50,
    p95: summary.latency.p95,
    p99: summary.latency.p99,
    max: summary.latency.max,
    targetRate: windows.reduce((s, w) => s + w.targetRate, 0),
    achievedRate: windows.reduce((s, w) => s + w.achievedRate, 0),
    dropped: summary.dropped,
    workers: windows.length,
    causes: summary.causes,
  };
}

/**
 * Turns ingested windows into `run:<id>` live messages: once per tick, one per second that
 * changed (a batch often holds two), merged across the workers heard from so far, so a chart or
 * a sum over seconds misses none. Runs nobody watches cost nothing.
 */
export class LiveWindows {
  readonly #runs = new Map<string, RunBuffer>();

  constructor(private readonly live: LiveHub) {}

  ingest(windows: ReadonlyArray<Window>): void {
    for (const w of windows) {
      if (!this.live.hasRunSubscribers(w.runId)) continue;
      const run = getOrAdd(this.#runs, w.runId, () => ({ seconds: new Map(), dirty: new Set<number>() }));
      const steps = getOrAdd(run.seconds, w.second, () => new Map<string, Map<string, Window>>());
      getOrAdd(steps, w.step, () => new Map<string, Window>()).set(w.worker, w);
      run.dirty.add(w.second);
    }
  }

  /** Pushes each changed second of each run, oldest first; called once a second. */
  tick(): void {
    for (const [runId, run] of this.#runs) {
      if (run.dirty.size === 0) continue;
      const changed = [...run.dirty].sort((a, b) => a - b);
      run.dirty.clear();
      for (const second of changed) this.push(runId, second, run.seconds.get(second));
      const second = changed.at(-1)!;
      for (const s of run.seconds.keys()) if (s < second - KEEP_SECONDS) run.seconds.delete(s);
      if (!this.live.hasRunSubscribers(runId)) this.#runs.delete(runId);
    }
  }

  private push(runId: string, second: number, bySteps: Map<string, Map<string, Window>> | undefined): void {
    if (!bySteps) return;
    const steps: Record<string, LiveStep> = {};
    const requests: Window[] = [];
    for (const [step, workers] of bySteps) {
      steps[step] = liveStep([...workers.values()]);
      if (step !== JOURNEY_STEP) requests.push(...workers.values());
    }
    this.live.broadcastRun(runId, {
      type: "window",
      runId,
      second,
      steps,
      ...(requests.length > 0 ? { requests: liveStep(requests) } : {}),
    });
  }
}
