import { and, inArray, isNotNull } from "drizzle-orm";
import type { StopMode } from "../../core/api/ingest.ts";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";

/**
 * The stop requests stored on runs (POST /runs/:id/stop|abort, on any replica), read for the
 * ingest answer. A run's answer is reused for `ttlMs`, so a live run's batches ask the database
 * at most once per run and interval, and a stop reaches its generators within about that.
 */
export class StopRequests {
  private readonly known = new Map<string, { mode: StopMode | null; until: number }>();

  /** `ttlMs`: how long an answer is reused before the database is asked again. */
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The runs among `runIds` asked to stop, with how; undefined when none was. */
  async of(runIds: ReadonlyArray<string>): Promise<Record<string, StopMode> | undefined> {
    const now = this.now();
    const ids = [...new Set(runIds)];
    const stale = ids.filter((id) => (this.known.get(id)?.until ?? 0) < now);
    if (stale.length > 0) {
      const rows = await this.db
        .select({ runId: runs.runId, stopRequest: runs.stopRequest })
        .from(runs)
        .where(and(inArray(runs.runId, stale), isNotNull(runs.stopRequest)));
      const asked = new Map(
        rows.map((r) => [r.runId, r.stopRequest === "abort" ? "abort" : "stop"] as const),
      );
      // Expired entries go first, so the map stays as small as the runs that report.
      for (const [id, entry] of this.known) if (entry.until < now) this.known.delete(id);
      for (const id of stale) this.known.set(id, { mode: asked.get(id) ?? null, until: now + this.ttlMs });
    }
    const stop: Record<string, StopMode> = {};
    for (const id of ids) {
      const mode = this.known.get(id)?.mode;
      if (mode) stop[id] = mode;
    }
    return Object.keys(stop).length > 0 ? stop : undefined;
  }
}
