import type { Db } from "../../db/open.ts";
import { foreignRunIds } from "./store.ts";

export interface RunOwnersOptions {
  /** How long a run's project is trusted without asking the database again (default 60 s). */
  ttlMs?: number;
  /** Runs remembered at most; the oldest go first (default 10,000). */
  maxRuns?: number;
  now?: () => number;
}

/**
 * Which project each recently stored run belongs to, so a live run's every batch does not ask
 * the database again (that check read all of a run's stored windows, growing with the run). A
 * run is remembered only after this replica stored it for its project: its rows then exist, and
 * the check any other project's batch passes through finds them. Entries expire (`ttlMs`), so a
 * run that retention deleted is asked about again; a run of another project is never cached.
 */
export class RunOwners {
  private readonly owners = new Map<string, { projectId: string; until: number }>();
  private readonly ttlMs: number;
  private readonly maxRuns: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: RunOwnersOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxRuns = options.maxRuns ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The first of `runIds` stored under another project, or undefined when none is. */
  async firstForeign(runIds: ReadonlyArray<string>, projectId: string): Promise<string | undefined> {
    const now = this.now();
    const unknown: string[] = [];
    for (const runId of new Set(runIds)) {
      const known = this.owners.get(runId);
      if (known === undefined || known.until < now || known.projectId !== projectId) unknown.push(runId);
    }
    if (unknown.length === 0) return undefined;
    const [foreign] = await foreignRunIds(this.db, unknown, projectId);
    return foreign;
  }

  /** Notes that these runs were just stored under `projectId`. */
  stored(runIds: ReadonlyArray<string>, projectId: string): void {
    const until = this.now() + this.ttlMs;
    for (const runId of new Set(runIds)) {
      // Re-inserted, so the map's order stays oldest first.
      this.owners.delete(runId);
      this.owners.set(runId, { projectId, until });
    }
    for (const runId of this.owners.keys()) {
      if (this.owners.size <= this.maxRuns) break;
      this.owners.delete(runId);
    }
  }
}
