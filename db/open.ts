import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { type DomainName, domains } from "./domains.ts";
import { PgliteThread } from "./pglite-thread.ts";
import { postgresClient } from "./postgres-client.ts";
import { makePrivateDir, privateFileCreation } from "./private-dir.ts";

/** A drizzle database on either driver; code above db/ never needs to know which. */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface OpenDbOptions {
  /** Domains whose migrations run at open (in order). */
  domains: ReadonlyArray<DomainName>;
  /** A postgres:// URL: use the postgres driver. Otherwise PGlite. */
  url?: string | undefined;
  /** PGlite data directory; omitted means in memory. Ignored with `url`. */
  dataDir?: string | undefined;
  /** PGlite in a worker thread, so its statements never stall the caller's event loop. */
  pgliteThread?: boolean;
  /** Connection pool size for the postgres driver. */
  poolSize?: number;
  /**
   * PGlite's shared_buffers (e.g. "32MB"; default Postgres's 128MB). The pool lives inside the
   * WebAssembly memory, which never shrinks, so its whole size stays resident once touched.
   */
  pgliteSharedBuffers?: string;
  /**
   * PGlite in memory only: start from this data directory (a `dumpDataDir()` archive) instead of
   * an empty cluster, skipping initdb. Migrations still run (those already applied are skipped).
   */
  pgliteLoadDataDir?: Blob;
}

export interface OpenedDb {
  db: Db;
  driver: "pglite" | "postgres";
  /** Where the data lives, without credentials (for logs). */
  location: string;
  /** PGlite only: a consistent gzipped tar of the data directory (for backups). */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

/**
 * Opens a database and runs the given domains' migrations. Idempotent: opening twice
 * applies nothing the second time. Throws if the database cannot be reached.
 */
export async function openDb(options: OpenDbOptions): Promise<OpenedDb> {
  const opened = options.url
    ? await openPostgres(options.url, options.poolSize ?? 10)
    : await openPglite(
        options.dataDir,
        options.pgliteThread ?? false,
        options.pgliteSharedBuffers,
        options.pgliteLoadDataDir,
      );
  try {
    await runMigrations(opened, options.domains);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/** PGlite's own start-up parameters plus a shared-buffer size (PGlite drops its defaults when given any). */
function pgliteStartParams(sharedBuffers: string): string[] {
  return [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffers}`];
}

async function openPglite(
  dataDir: string | undefined,
  thread: boolean,
  sharedBuffers: string | undefined,
  loadDataDir: Blob | undefined,
): Promise<OpenedDb> {
  if (loadDataDir && (dataDir || thread))
    throw new Error("pgliteLoadDataDir is for an in-memory PGlite only");
  if (dataDir) {
    // Users, sessions and keys live here: no other local user may read or edit them.
    privateFileCreation();
    makePrivateDir(dataDir);
  }
  const options = sharedBuffers ? { startParams: pgliteStartParams(sharedBuffers) } : {};
  const client = thread
    ? new PgliteThread(dataDir, options)
    : new PGlite({ ...options, dataDir, loadDataDir });
  await client.waitReady;
  // Again for the files PGlite just created (a worker thread cannot set the umask).
  if (dataDir) makePrivateDir(dataDir);
  return {
    db: drizzlePglite(client as PGlite, { casing: "snake_case" }) as unknown as Db,
    driver: "pglite",
    location: `${dataDir ?? "memory"}${thread ? " (own thread)" : ""}`,
    dumpDataDir: () => client.dumpDataDir("gzip"),
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<OpenedDb> {
  const client = postgresClient(url, { max: poolSize, onnotice: () => {} });
  await client`select 1`;
  const safe = new URL(url);
  safe.password = "";
  return {
    db: drizzlePostgres(client, { casing: "snake_case" }) as unknown as Db,
    driver: "postgres",
    location: safe.toString(),
    close: () => client.end({ timeout: 5 }),
  };
}

/** A fixed advisory-lock key so concurrent processes never migrate the same database at once. */
const MIGRATION_LOCK = 7_411_002;

async function runMigrations(opened: OpenedDb, names: ReadonlyArray<DomainName>): Promise<void> {
  const { db } = opened;
  const apply = async () => {
    for (const name of names) {
      const domain = domains[name];
      const config = {
        migrationsFolder: domain.migrationsFolder,
        migrationsTable: domain.migrationsTable,
        migrationsSchema: "drizzle",
      };
      if (opened.driver === "pglite") await migratePglite(db as never, config);
      else await migratePostgres(db as never, config);
    }
  };
  if (opened.driver === "pglite") return apply();
  await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await apply();
  } finally {
    await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
}

/** The PGlite data directory of a process's database under the Peakwatch data directory. */
export function pgliteDir(dataRoot: string, processName: "hub" | "shop"): string {
  return join(dataRoot, processName, "pgdata");
}
