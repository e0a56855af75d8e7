import {
  addCause,
  type CauseCounts,
  classOf,
  DROPPED,
  type ErrorClass,
  type Failure,
} from "../core/error-causes.ts";
import { encodeHistogramForWire, type Histogram, newHistogram, recordMicros } from "../core/histogram.ts";
import { JOURNEY_STEP, type Window } from "../core/window.ts";

/** Sees one request: its step, end (epoch ms), latency and service time (µs), success. */
export type RequestListener = (
  step: string,
  endMs: number,
  latencyMicros: number,
  serviceMicros: number | undefined,
  ok: boolean,
) => void;

/** Receives closed windows. Must not block: implementations only enqueue or add up. */
export interface WindowSink {
  accept(windows: ReadonlyArray<Window>): void;
}

interface Accumulator {
  count: number;
  errors: Record<ErrorClass, number>;
  causes: CauseCounts;
  bytes: number;
  achieved: number;
  dropped: number;
  latency: Histogram;
  failedLatency: Histogram | undefined;
  service: Histogram | undefined;
}

function accumulator(): Accumulator {
  return {
    count: 0,
    errors: { connect: 0, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
    causes: {},
    bytes: 0,
    achieved: 0,
    dropped: 0,
    latency: newHistogram(),
    failedLatency: undefined,
    service: undefined,
  };
}

export interface AggregatorOptions {
  runId: string;
  worker: string;
  /** How long after a second ends its window stays open for late arrivals (queued, dropped). */
  graceMs: number;
  /** Target arrivals of an epoch second (open model); omitted for the closed model. */
  targetOf?: (second: number) => number;
  /** Epoch seconds the run covers, so seconds with a target but no events still get a journey window. */
  firstSecond: number;
  /** Sees every request as it is recorded (debug dumps of raw latencies); must not block. */
  onRequest?: RequestListener | undefined;
}

/** The histograms behind a window this process built: the same data as its encoded fields. */
export interface WindowHistograms {
  latency: Histogram;
  service: Histogram | undefined;
  failedLatency: Histogram | undefined;
}

const built = new WeakMap<Window, WindowHistograms>();

/**
 * The in-memory histograms of a window built by a WindowAggregator of this process, so local
 * sinks read them without decoding what was encoded only for the wire. Undefined for any other
 * window (decode it). Never mutate them.
 */
export function histogramsOf(window: Window): WindowHistograms | undefined {
  return built.get(window);
}

/** Message of a dropped arrival (the same for all, so it is not repeated per arrival). */
const DROPPED_MESSAGE = "no free virtual user within maxQueueDelay";

/**
 * Folds individual measurements into per-second, per-step windows (count, errors by cause and
 * class, bytes, HDR histograms in µs; failed requests' latency apart from successful ones) and hands closed seconds to the sinks. Nothing is stored per
 * request: memory is one histogram per open (second, step).
 */
export class WindowAggregator {
  private readonly open = new Map<number, Map<string, Accumulator>>();
  private nextSecond: number;
  /** Requests recorded so far (every step except the journey). */
  requests = 0;

  constructor(
    private readonly options: AggregatorOptions,
    private readonly sinks: ReadonlyArray<WindowSink>,
  ) {
    this.nextSecond = options.firstSecond;
  }

  private slot(atMs: number, step: string): Accumulator {
    // A measurement for a second already emitted (a stalled event loop) joins the oldest open
    // second: re-sending an emitted window would replace it at the hub, losing its counts.
    const second = Math.max(Math.floor(atMs / 1000), this.nextSecond);
    let steps = this.open.get(second);
    if (!steps) {
      steps = new Map();
      this.open.set(second, steps);
    }
    let acc = steps.get(step);
    if (!acc) {
      acc = accumulator();
      steps.set(step, acc);
    }
    return acc;
  }

  /**
   * One request finished at `endMs` (latency from its intended start, service from its send);
   * `failure` when it failed, whose latency then goes to the failed histogram.
   */
  request(
    step: string,
    endMs: number,
    latencyMicros: number,
    serviceMicros: number | undefined,
    bytes: number,
    failure: Failure | undefined,
  ): void {
    const acc = this.slot(endMs, step);
    acc.count++;
    this.requests++;
    this.options.onRequest?.(step, endMs, latencyMicros, serviceMicros, failure === undefined);
    acc.bytes += bytes;
    if (failure) {
      const k = classOf(failure.cause);
      if (k) acc.errors[k]++;
      addCause(acc.causes, failure.cause, 1, failure.message);
      acc.failedLatency ??= newHistogram();
      recordMicros(acc.failedLatency, latencyMicros);
    } else {
      recordMicros(acc.latency, latencyMicros);
    }
    if (serviceMicros !== undefined) {
      acc.service ??= newHistogram();
      recordMicros(acc.service, serviceMicros);
    }
  }

  /** An arrival scheduled at `scheduledMs` either started a journey or was dropped. */
  arrival(scheduledMs: number, started: boolean): void {
    const acc = this.slot(scheduledMs, JOURNEY_STEP);
    if (started) {
      acc.count++;
      acc.achieved++;
    } else {
      acc.dropped++;
      addCause(acc.causes, DROPPED, 1, DROPPED_MESSAGE);
    }
  }

  /**
   * A whole journey ended (latency from its arrival's intended start, think time included);
   * `failure` when a step failed. Its cause is counted on that step, not again here, so summing
   * causes over steps counts each failed request once.
   */
  journeyEnd(endMs: number, latencyMicros: number, failure: Failure | undefined): void {
    const acc = this.slot(endMs, JOURNEY_STEP);
    if (failure) {
      const k = classOf(failure.cause);
      if (k) acc.errors[k]++;
      acc.failedLatency ??= newHistogram();
      recordMicros(acc.failedLatency, latencyMicros);
    } else {
      recordMicros(acc.latency, latencyMicros);
    }
  }

  /** Emits every second that closed before `nowMs` (all of them when `final`). */
  flush(nowMs: number, final = false): void {
    const limit = final ? Number.POSITIVE_INFINITY : Math.floor((nowMs - this.options.graceMs) / 1000);
    const seconds = [...this.open.keys()].sort((a, b) => a - b);
    const last = final ? Math.max(this.nextSecond - 1, ...seconds) : limit - 1;
    const out: Window[] = [];
    for (let second = this.nextSecond; second <= last; second++) {
      const steps = this.open.get(second) ?? new Map<string, Accumulator>();
      const target = this.options.targetOf?.(second) ?? 0;
      if (target > 0 && !steps.has(JOURNEY_STEP)) steps.set(JOURNEY_STEP, accumulator());
      for (const [step, acc] of steps)
        out.push(this.toWindow(second, step, acc, step === JOURNEY_STEP ? target : 0));
      this.open.delete(second);
    }
    if (last >= this.nextSecond) this.nextSecond = last + 1;
    if (out.length > 0) for (const sink of this.sinks) sink.accept(out);
  }

  private toWindow(second: number, step: string, acc: Accumulator, target: number): Window {
    const w: Window = {
      runId: this.options.runId,
      step,
      worker: this.options.worker,
      second,
      count: acc.count,
      errors: acc.errors,
      bytes: acc.bytes,
      targetRate: Math.round(target * 1000) / 1000,
      achievedRate: acc.achieved,
      dropped: acc.dropped,
      latency: encodeHistogramForWire(acc.latency),
      causes: acc.causes,
    };
    if (acc.service) w.service = encodeHistogramForWire(acc.service);
    if (acc.failedLatency) w.failedLatency = encodeHistogramForWire(acc.failedLatency);
    built.set(w, { latency: acc.latency, service: acc.service, failedLatency: acc.failedLatency });
    return w;
  }
}
