import { Worker } from "node:worker_threads";

/** What drizzle's PGlite driver passes with each statement. */
interface QueryOptions {
  rowMode?: "array" | "object";
  /** Drizzle's parsers only keep some types' text as is; their type ids cross the thread. */
  parsers?: Record<number, unknown>;
}

interface Results {
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { message: string; code?: string };
}

/** A database error rebuilt on this side of the thread, with Postgres's fields (`code`, …). */
export class PgliteThreadError extends Error {
  code?: string;
}

function rebuild(error: { message: string }): PgliteThreadError {
  return Object.assign(new PgliteThreadError(error.message), error);
}

/**
 * PGlite in a worker thread, with the part of PGlite's interface drizzle's driver uses
 * (`query`, `transaction`). PGlite runs each statement synchronously; on the request thread
 * a statement stalls every request of the process, here only this thread. Statements run in
 * the order they are sent; while a transaction is open, other statements wait for it, as
 * they would for PGlite's own transaction lock.
 */
export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private failed: Error | undefined;
  /** Settles when the open transaction ends; statements outside it wait. */
  private openTransaction: Promise<void> | undefined;
  readonly waitReady: Promise<void>;

  constructor(dataDir: string | undefined, options: { startParams?: string[] } = {}) {
    this.worker = new Worker(new URL("./pglite-worker.mjs", import.meta.url), {
      workerData: { dataDir, startParams: options.startParams },
    });
    this.waitReady = new Promise((resolve, reject) => {
      this.worker.once("message", (m: { ready: boolean; error?: { message: string } }) =>
        m.ready ? resolve() : reject(rebuild(m.error ?? { message: "PGlite did not start" })),
      );
    });
    this.worker.once("message", () => this.worker.on("message", (m: Reply) => this.settle(m)));
    const fail = (error: Error) => {
      this.failed ??= new Error(`the embedded database thread stopped: ${error.message}`, { cause: error });
      for (const p of this.pending.values()) p.reject(this.failed);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
  }

  async query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<Results> {
    while (this.openTransaction) await this.openTransaction;
    return this.send("query", sql, params, options) as Promise<Results>;
  }

  async exec(sql: string): Promise<Results[]> {
    while (this.openTransaction) await this.openTransaction;
    return this.send("exec", sql) as Promise<Results[]>;
  }

  /** Runs `fn` inside BEGIN … COMMIT (ROLLBACK when it throws); nothing else runs meanwhile. */
  async transaction<T>(fn: (tx: Pick<PgliteThread, "query" | "exec">) => Promise<T>): Promise<T> {
    while (this.openTransaction) await this.openTransaction;
    let end = () => {};
    this.openTransaction = new Promise((resolve) => {
      end = resolve;
    });
    const tx = {
      query: (sql: string, params: unknown[] = [], options: QueryOptions = {}) =>
        this.send("query", sql, params, options) as Promise<Results>,
      exec: (sql: string) => this.send("exec", sql) as Promise<Results[]>,
    };
    try {
      await tx.exec("begin");
      try {
        const result = await fn(tx);
        await tx.exec("commit");
        return result;
      } catch (error) {
        await tx.exec("rollback");
        throw error;
      }
    } finally {
      this.openTransaction = undefined;
      end();
    }
  }

  /** A consistent gzipped tar of the data directory (for backups). */
  async dumpDataDir(): Promise<Blob> {
    while (this.openTransaction) await this.openTransaction;
    return new Blob([(await this.send("dump")) as ArrayBuffer]);
  }

  async close(): Promise<void> {
    if (this.failed) return;
    await this.send("close");
    await new Promise((resolve) => this.worker.once("exit", resolve));
  }

  private send(op: string, sql?: string, params?: unknown[], options?: QueryOptions): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const raw = options?.parsers ? Object.keys(options.parsers).map(Number) : [];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, sql, params, rowMode: options?.rowMode, raw });
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(rebuild(reply.error ?? { message: "unknown database error" }));
  }
}
