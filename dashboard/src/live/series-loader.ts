import type { HubClient } from "../api/hub-client.ts";
import type { Series, SeriesStat } from "../api/types.ts";
import type { RunSeries } from "./run-series.ts";
import { ALL_REQUESTS, type FigureKey, figureKeys, noneSucceeded, type StepFigures } from "./step-figures.ts";

const latencyKeys = ["p50", "p95", "p99"] as const;

/** Which REST series stat fills which chart figure. */
const statOf: Record<FigureKey, SeriesStat> = {
  p50: "p50",
  p95: "p95",
  p99: "p99",
  rate: "rate",
  errors: "errors",
  errorRate: "errorRate",
  target: "target",
  achieved: "achieved",
  dropped: "dropped",
};

export interface LoadSeriesOptions {
  runId: string;
  steps: ReadonlyArray<string>;
  keys?: ReadonlyArray<FigureKey>;
  /** Seconds per point; the hub downsamples, so a long run stays a few hundred points. */
  resolution?: number;
  signal?: AbortSignal;
}

/**
 * Fills `series` from GET /runs/:id/series (downsampled server-side), one request per step and
 * figure, all in parallel. A figure the hub cannot give (404/400) stays a gap.
 */
export async function loadSeries(
  client: HubClient,
  series: RunSeries,
  options: LoadSeriesOptions,
): Promise<void> {
  const keys = options.keys ?? figureKeys;
  const jobs = options.steps.flatMap((step) =>
    keys.map(async (key) => {
      try {
        const body = await client.get<Series>(
          `/runs/${encodeURIComponent(options.runId)}/series`,
          { ...(step === ALL_REQUESTS ? {} : { step }), stat: statOf[key], resolution: options.resolution },
          options.signal,
        );
        return { step, key, points: body.points ?? [] };
      } catch {
        return { step, key, points: [] as Series["points"] };
      }
    }),
  );
  const rows = new Map<number, Map<string, Partial<StepFigures>>>();
  for (const { step, key, points } of await Promise.all(jobs)) {
    for (const [second, value] of points) {
      let bySecond = rows.get(second);
      if (!bySecond) {
        bySecond = new Map();
        rows.set(second, bySecond);
      }
      const figures = bySecond.get(step) ?? {};
      figures[key] = value;
      bySecond.set(step, figures);
    }
  }
  for (const second of [...rows.keys()].sort((a, b) => a - b)) {
    const steps: Record<string, StepFigures> = {};
    for (const [step, partial] of rows.get(second)!) steps[step] = complete(partial);
    series.put(second, steps);
  }
}

/**
 * Missing figures are gaps; so is the latency of a second where no request succeeded, and the
 * failed share of one with no request at all (the hub sends 0 for 0 of 0).
 */
function complete(partial: Partial<StepFigures>): StepFigures {
  const out = {} as StepFigures;
  for (const key of figureKeys) out[key] = partial[key] ?? null;
  if (noneSucceeded(partial)) for (const key of latencyKeys) out[key] = null;
  if (out.rate === 0) out.errorRate = null;
  return out;
}
