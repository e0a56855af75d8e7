import { and, asc, eq, gte, lt } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Db } from "../../db/open.ts";
import { projects, scrapedSamples } from "../../db/schema/hub.ts";
import type { MetricSample } from "../alerting/data.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import { parseExposition } from "./exposition.ts";
import { type CounterState, extractSeries, type ScrapedSeries } from "./extract.ts";
import type { ScrapeTargets } from "./target-store.ts";

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
  /** The HUB_SCRAPE_TARGETS URLs: the default project's. */
  targets: ReadonlyArray<string>;
  /** Targets projects added through the API; re-read at every pass. */
  stored?: ScrapeTargets;
  intervalMs: number;
  metrics: HubMetrics;
  now?: () => number;
  timeoutMs?: number;
  /** Only the leading replica scrapes, so replicas do not store every sample twice; default always. */
  isLeader?: () => Promise<boolean>;
}

/** One target of one project. */
interface Target {
  projectId: string;
  url: string;
}

const keyOf = (t: Target) => `${t.projectId} ${t.url}`;

/**
 * Scrapes each target's /metrics every interval (never overlapping itself), keeps the chosen
 * series (extract.ts) in `scraped_samples` with the target's project: the configured targets are
 * the default project's, the stored ones their own project's. A failed scrape marks the target
 * down and is counted; it never throws.
 */
export class Scraper {
  readonly #status = new Map<string, TargetStatus>();
  readonly #counters = new Map<string, CounterState>();
  readonly #configured: Target[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly options: ScraperOptions) {
    this.#configured = options.targets.map((url) => ({ projectId: DEFAULT_PROJECT_ID, url }));
    for (const target of this.#configured) this.#status.set(keyOf(target), blank(target.url));
  }

  /** The state of one project's target (a target not scraped yet: down, never scraped). */
  status(projectId: string, url: string): TargetStatus {
    return this.#status.get(keyOf({ projectId, url })) ?? blank(url);
  }

  /** The configured targets' states, shown in the default project only. */
  get configured(): TargetStatus[] {
    return this.#configured.map((t) => this.status(t.projectId, t.url));
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    if (this.options.targets.length === 0 && !this.options.stored) return;
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

  /** One scrape of every target, concurrently; a removed stored target is forgotten. */
  async scrapeAll(): Promise<void> {
    const stored = (await this.options.stored?.all().catch(() => [])) ?? [];
    const targets = [...this.#configured, ...stored.map((r) => ({ projectId: r.projectId, url: r.url }))];
    const current = new Set(targets.map(keyOf));
    for (const key of [...this.#status.keys()]) {
      if (!current.has(key)) {
        this.#status.delete(key);
        this.#counters.delete(key);
      }
    }
    await Promise.all(targets.map((target) => this.#scrape(target)));
  }

  async #scrape(target: Target): Promise<void> {
    const now = this.options.now ?? Date.now;
    const key = keyOf(target);
    const { url, projectId } = target;
    const status = this.#status.get(key) ?? blank(url);
    this.#status.set(key, status);
    const at = now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const { values, state } = extractSeries(parseExposition(await res.text()), at, this.#counters.get(key));
      this.#counters.set(key, state);
      const rows = Object.entries(values).map(([series, value]) => ({
        projectId,
        target: url,
        series,
        at,
        value,
      }));
      if (rows.length > 0) await this.options.db.insert(scrapedSamples).values(rows).onConflictDoNothing();
      Object.assign(status, { up: true, lastScrapeAt: at, lastError: null, values });
      this.options.metrics.scrapes.inc({ target: url, outcome: "ok" });
    } catch (error) {
      Object.assign(status, { up: false, lastScrapeAt: at, lastError: (error as Error).message });
      this.options.metrics.scrapes.inc({ target: url, outcome: "error" });
    }
  }
}

function blank(url: string): TargetStatus {
  return { url, up: false, lastScrapeAt: null, lastError: null, values: {} };
}

/**
 * Scraped samples in [fromMs, untilMs) for alert rules, labelled with their target and (other
 * than the default project's) their project's `project` label, so each project's rules see only
 * their own (server/alerting/project-data.ts).
 */
export function scrapedMetrics(db: Db) {
  return async (fromMs: number, untilMs: number): Promise<MetricSample[]> => {
    const rows = await db
      .select({ sample: scrapedSamples, slug: projects.slug })
      .from(scrapedSamples)
      .innerJoin(projects, eq(projects.id, scrapedSamples.projectId))
      .where(and(gte(scrapedSamples.at, fromMs), lt(scrapedSamples.at, untilMs)))
      .orderBy(asc(scrapedSamples.at));
    return rows.map(
      ({ sample: r, slug }): MetricSample => ({
        series: r.series,
        labels:
          r.projectId === DEFAULT_PROJECT_ID ? { target: r.target } : { target: r.target, project: slug },
        at: r.at,
        value: r.value,
      }),
    );
  };
}
