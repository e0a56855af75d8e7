import { type Window, windowKey } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import type { WindowRow } from "../../db/schema/hub.ts";
import { upsertWindowRows } from "./store.ts";
import { windowToRow } from "./window-rows.ts";

export interface WindowWriterOptions {
  /**
   * Statements in flight at once (default 2: the database works on one while the next gathers).
   * 1 was measured on a 2-core machine (bench/hub.ts, Postgres): back to back 17,400–21,600
   * windows/s against 23,800–28,300 with 2, and paced 20,000/s batch p99 69–132 ms against
   * 73–87 ms, so keeping Postgres to one core does not shorten the hub's stalls.
   */
  maxInFlight?: number;
  /**
   * Rows per statement at most; a larger single batch still goes whole (default 1,000). Measured
   * on a 2-core machine against Postgres (bench/hub.ts, 50 agents × 100-window batches, runs
   * interleaved): 1,000 gave 24,200–31,800 windows/s back to back (mean 28,100) with batch p99
   * 238–350 ms, against 18,200–30,300 (mean 24,100) and 336–729 ms with 5,000; paced at 20,000/s
   * the p99 was no worse (median about 83 ms against 100). 500 and 2,000 were not better.
   */
  maxRows?: number;
  /**
   * Rows waiting for a statement at most (default 50,000: about 2.5 s of 20,000 windows/s, some
   * 50 MB of rows); a batch that would go beyond is refused at once with WriterBusy, so a database
   * that falls behind makes agents back off instead of growing the hub's memory.
   */
  maxQueuedRows?: number;
}

/** store() refused a batch: the rows already waiting for the database are at the limit. */
export class WriterBusy extends Error {
  constructor(readonly queuedRows: number) {
    super(`${queuedRows} windows are waiting for the database`);
    this.name = "WriterBusy";
  }
}

interface Pending {
  projectId: string;
  /** The batch's distinct windows by windowKey, last one wins. */
  rows: Map<string, WindowRow>;
  done(error?: unknown): void;
}

/**
 * Group commit for window batches: a batch that arrives while `maxInFlight` statements are
 * running waits, and the next statement upserts every batch waiting by then, so under load the
 * database sees a few large statements and commits (one WAL flush each) instead of one per agent
 * batch; when idle, a batch goes alone on the next turn. Each caller is answered only after the
 * statement holding its rows committed. Semantics are those of storing the batches one after the
 * other in arrival order: a key repeated across batches keeps the later row. A failed statement
 * of several batches is retried batch by batch, so one batch the database refuses fails alone.
 */
export class WindowWriter {
  readonly #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;
  #queuedRows = 0;
  readonly #maxInFlight: number;
  readonly #maxRows: number;
  readonly #maxQueuedRows: number;

  constructor(
    private readonly db: Db,
    options: WindowWriterOptions = {},
  ) {
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#maxRows = options.maxRows ?? 1000;
    this.#maxQueuedRows = options.maxQueuedRows ?? 50_000;
  }

  /** Rows waiting for a statement (not those of statements in flight). */
  get queuedRows(): number {
    return this.#queuedRows;
  }

  /**
   * Upserts a batch on (run, step, worker, second) like storeWindows (idempotent, all or nothing,
   * never over another project's row); resolves with its number of distinct windows once committed.
   * Rejects at once with WriterBusy, storing nothing, when the waiting rows would pass
   * maxQueuedRows (a batch is always taken when nothing waits).
   */
  store(batch: ReadonlyArray<Window>, projectId: string): Promise<number> {
    if (this.#queuedRows > 0 && this.#queuedRows + batch.length > this.#maxQueuedRows)
      return Promise.reject(new WriterBusy(this.#queuedRows));
    const byKey = new Map<string, WindowRow>();
    for (const w of batch) byKey.set(windowKey(w), windowToRow(w, projectId));
    this.#queuedRows += byKey.size;
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({
        projectId,
        rows: byKey,
        done: (error) => (error === undefined ? resolve(byKey.size) : reject(error)),
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#queue.length === 0) return;
    this.#scheduled = true;
    // The next turn, so the batches whose requests finish in this one go together.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
        const group = this.#take();
        this.#inFlight++;
        void this.#write(group).finally(() => {
          this.#inFlight--;
          this.#schedule();
        });
      }
    });
  }

  /**
   * The waiting batches, oldest first, up to maxRows (at least one). Stops before a batch with a
   * key another project's batch already holds: one statement cannot touch a row twice, and
   * storing them one after the other keeps the first project's row.
   */
  #take(): { group: Pending[]; rows: WindowRow[] } {
    const group: Pending[] = [];
    const byKey = new Map<string, WindowRow>();
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (group.length > 0) {
        if (byKey.size + next.rows.size > this.#maxRows) break;
        if (heldByAnother(byKey, next)) break;
      }
      this.#queue.shift();
      this.#queuedRows -= next.rows.size;
      group.push(next);
      for (const [key, row] of next.rows) byKey.set(key, row);
    }
    return { group, rows: [...byKey.values()] };
  }

  async #write({ group, rows }: { group: Pending[]; rows: WindowRow[] }): Promise<void> {
    try {
      await upsertWindowRows(this.db, rows);
      for (const p of group) p.done();
    } catch (error) {
      if (group.length === 1) {
        group[0]!.done(error);
        return;
      }
      // One batch may be what the database refused: each on its own, so only that one fails.
      for (const p of group) {
        try {
          await upsertWindowRows(this.db, [...p.rows.values()]);
          p.done();
        } catch (own) {
          p.done(own);
        }
      }
    }
  }
}

/** True when a key of `batch` is held in `rows` by another project's row. */
function heldByAnother(rows: ReadonlyMap<string, WindowRow>, batch: Pending): boolean {
  for (const key of batch.rows.keys()) {
    const held = rows.get(key);
    if (held !== undefined && held.projectId !== batch.projectId) return true;
  }
  return false;
}
