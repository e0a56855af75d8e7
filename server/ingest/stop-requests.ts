import { and, inArray, isNotNull } from "drizzle-orm";
import type { StopMode } from "../../core/api/ingest.ts";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";

/** Runs remembered at most; past it the ones asked about longest ago are forgotten. */
const MAX_RUNS = 10_000;
/** Runs one background read asks about at most; the rest wait for the next. */
const READ_RUNS = 1000;

interface Known {
  mode: StopMode | null;
  /** When the answer is next read again (epoch ms). */
  until: number;
}

/**
 * The stop requests stored on runs (POST /runs/:id/stop|abort, on any replica), read for the
 * ingest answer. Only a run's first batch waits for the database; after that its answer is
 * refreshed every `ttlMs` in the background, one statement for every run due, so a stop reaches
 * a run's generators within about `ttlMs` plus one batch and no batch's reply waits on a read
 * (a read per run and second behind every group commit was most of the ingest p99 at 20,000
 * windows/s on Postgres).
 */
export class StopRequests {
  readonly #known = new Map<string, Known>();
  /** Runs whose answer is due, waiting for the next background read. */
  readonly #due = new Set<string>();
  #refreshing = false;

  /** `ttlMs`: how long an answer is used before it is read again. */
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The runs among `runIds` asked to stop, with how; undefined when none was. Waits for the
   * database only for runs it has never read; throws when that read fails.
   */
  async of(runIds: ReadonlyArray<string>): Promise<Record<string, StopMode> | undefined> {
    const now = this.now();
    const ids = [...new Set(runIds)];
    const unknown: string[] = [];
    for (const id of ids) {
      const known = this.#known.get(id);
      if (known === undefined) unknown.push(id);
      else if (known.until < now) this.#due.add(id);
    }
    if (unknown.length > 0) await this.#read(unknown);
    if (this.#due.size > 0) this.#refresh();
    const stop: Record<string, StopMode> = {};
    let asked = false;
    for (const id of ids) {
      const mode = this.#known.get(id)?.mode;
      if (mode) {
        stop[id] = mode;
        asked = true;
      }
    }
    return asked ? stop : undefined;
  }

  /** Reads the due runs' answers, off the caller's path; a failed read leaves them due. */
  #refresh(): void {
    if (this.#refreshing) return;
    this.#refreshing = true;
    const ids: string[] = [];
    for (const id of this.#due) {
      if (ids.length === READ_RUNS) break;
      ids.push(id);
    }
    for (const id of ids) this.#due.delete(id);
    this.#read(ids)
      .catch(() => {
        for (const id of ids) this.#due.add(id);
      })
      .finally(() => {
        this.#refreshing = false;
      });
  }

  async #read(ids: string[]): Promise<void> {
    const rows = await this.db
      .select({ runId: runs.runId, stopRequest: runs.stopRequest })
      .from(runs)
      .where(and(inArray(runs.runId, ids), isNotNull(runs.stopRequest)));
    const asked = new Map(rows.map((r) => [r.runId, r.stopRequest === "abort" ? "abort" : "stop"] as const));
    const until = this.now() + this.ttlMs;
    for (const id of ids) {
      // Re-inserted, so the map's order stays oldest first.
      this.#known.delete(id);
      this.#known.set(id, { mode: asked.get(id) ?? null, until });
    }
    for (const id of this.#known.keys()) {
      if (this.#known.size <= MAX_RUNS) break;
      this.#known.delete(id);
      this.#due.delete(id);
    }
  }
}
