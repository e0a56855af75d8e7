import { and, asc, gte, lt } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { scrapedSamples } from "../../db/schema/hub.ts";
import type { MetricSample } from "../alerting/data.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import { parseExposition } from "./exposition.ts";
import { type CounterState, extractSeries, type ScrapedSeries } from "./extract.ts";

/** What the hub knows about one scrape target. */
export interface TargetStatus {
  url: string;
  up: boolean;
  lastScrapeAt: number | null;
  lastError: string | null;
  values: Partial<Record<ScrapedSeries, number>>;
}

export interface ScraperOptions {
  db: Db;
  targets: ReadonlyArray<string>;
  intervalMs: number;
  metrics: HubMetrics;
  now?: () => number;
  timeoutMs?: number;
  /** Only the leading replica scrapes, so replicas do not store every sample twice; default always. */
  isLeader?: () => Promise<boolean>;
}

/**
 * Scrapes each target's /metrics every interval (never overlapping itself), keeps the chosen
 * series (extract.ts) in `scraped_samples`. A failed scrape marks the target down and is
 * counted; it never throws.
 */
export class Scraper {
  readonly #status = new Map<string, TargetStatus>();
  readonly #counters = new Map<string, CounterState>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly options: ScraperOptions) {
    for (const url of options.targets) {
      this.#status.set(url, { url, up: false, lastScrapeAt: null, lastError: null, values: {} });
    }
  }

  get targets(): TargetStatus[] {
    return [...this.#status.values()];
  }

  start(): void {
    if (this.options.intervalMs <= 0 || this.options.targets.length === 0) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.#scrapeIfLeading().finally(() => {
        this.#running = undefined;
      });
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async #scrapeIfLeading(): Promise<void> {
    if (this.options.isLeader && !(await this.options.isLeader())) return;
    await this.scrapeAll();
  }

  /** One scrape of every target, concurrently. */
  async scrapeAll(): Promise<void> {
    await Promise.all(this.options.targets.map((url) => this.#scrape(url)));
  }

  async #scrape(url: string): Promise<void> {
    const now = this.options.now ?? Date.now;
    const status = this.#status.get(url)!;
    const at = now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const { values, state } = extractSeries(parseExposition(await res.text()), at, this.#counters.get(url));
      this.#counters.set(url, state);
      const rows = Object.entries(values).map(([series, value]) => ({ target: url, series, at, value }));
      if (rows.length > 0) await this.options.db.insert(scrapedSamples).values(rows).onConflictDoNothing();
      Object.assign(status, { up: true, lastScrapeAt: at, lastError: null, values });
      this.options.metrics.scrapes.inc({ target: url, outcome: "ok" });
    } catch (error) {
      Object.assign(status, { up: false, lastScrapeAt: at, lastError: (error as Error).message });
      this.options.metrics.scrapes.inc({ target: url, outcome: "error" });
    }
  }
}

/** Scraped samples in [fromMs, untilMs) for alert rules, labelled with their target. */
export function scrapedMetrics(db: Db) {
  return async (fromMs: number, untilMs: number): Promise<MetricSample[]> => {
    const rows = await db
      .select()
      .from(scrapedSamples)
      .where(and(gte(scrapedSamples.at, fromMs), lt(scrapedSamples.at, untilMs)))
      .orderBy(asc(scrapedSamples.at));
    return rows.map((r) => ({ series: r.series, labels: { target: r.target }, at: r.at, value: r.value }));
  };
}
