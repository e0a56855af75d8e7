import type { Labels } from "../../core/fingerprint.ts";
import type { WindowIndex } from "./window-index.ts";

/** One stored window (one second of one step from one worker), with its run's target. */
export interface WindowSample {
  runId: string;
  /** The run's target origin (e.g. http://127.0.0.1:4100); "" when unknown. */
  target: string;
  step: string;
  worker: string;
  /** Unix epoch seconds. */
  second: number;
  count: number;
  errorCount: number;
  targetRate: number;
  achievedRate: number;
  dropped: number;
  /** HDR V2 histogram (µs, base64, compressed or not); present only when a latency rule needs it. */
  latency?: string;
  /** The `project` label value of its project (server/alerting/project-label.ts); absent: the default project. */
  project?: string;
}

/** One probe check. */
export interface ProbeSample {
  probe: string;
  region: string;
  target: string;
  /** Unix epoch milliseconds. */
  at: number;
  ok: boolean;
  totalMs: number;
  /** As WindowSample.project. */
  project?: string;
}

/** One scraped value of a shop series. */
export interface MetricSample {
  series: string;
  labels: Labels;
  /** Unix epoch milliseconds. */
  at: number;
  value: number;
}

/** The recent data one evaluation looks at. */
export interface AlertData {
  windows: ReadonlyArray<WindowSample>;
  probes: ReadonlyArray<ProbeSample>;
  metrics: ReadonlyArray<MetricSample>;
  /**
   * Runs that are over (finished, or silent past the stale limit). Rules over windows and
   * burn-rate rules measure live runs only, and their alerts about an ended run resolve at once
   * ("run ended"). A run the hub has not heard of yet counts as live.
   */
  endedRuns?: ReadonlySet<string>;
  /**
   * The same windows indexed with running sums (incremental evaluation). When present, rules over
   * windows read it instead of scanning `windows`; it must hold exactly the windows `windows` holds.
   */
  windowIndex?: WindowIndex;
}

/** How far back each kind of data must reach for the enabled rules. */
export interface DataSpan {
  /** Windows with counts from this second on (exclusive of `untilSecond`). */
  windowsFromSecond: number;
  /** Windows with latency histograms from this second on (never earlier than windowsFromSecond). */
  latencyFromSecond: number;
  untilSecond: number;
  probesFromMs: number;
  metricsFromMs: number;
}

/**
 * Where the evaluator reads its data: implemented over the hub's tables in production and in
 * memory in tests and benchmarks. Must only read; the engine calls it once per evaluation.
 */
export interface AlertDataSource {
  load(span: DataSpan): Promise<AlertData>;
}

export const emptyData: AlertData = { windows: [], probes: [], metrics: [] };
