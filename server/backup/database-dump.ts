import { existsSync, openAsBlob, readdirSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { PGlite } from "@electric-sql/pglite";
import type { BackupComponent } from "../../core/backup/archive.ts";
import { componentDomains, domains } from "../../db/domains.ts";
import { type ArchiveSource, BackupError } from "./archive-file.ts";
import { connectionArgs, pgDumpStream, runTool } from "./postgres-tools.ts";

/** Where a component's data lives: a PGlite directory or a Postgres URL. */
export type DatabaseLocation = { driver: "pglite"; dir: string } | { driver: "postgres"; url: string };

const schemasOf = (component: BackupComponent): string[] => [...componentDomains[component]];
const migrationTablesOf = (component: BackupComponent) =>
  componentDomains[component].map((name) => domains[name].migrationsTable);

/** PGlite leaves postmaster.pid in its directory while a process has it open. */
export function pgliteInUse(dir: string): boolean {
  return existsSync(join(dir, "postmaster.pid"));
}

/** A dump of a PGlite database that this process has open (the hub's scheduled backups). */
export async function openPgliteSource(
  component: BackupComponent,
  dump: () => Promise<Blob>,
): Promise<ArchiveSource> {
  const blob = await dump();
  return {
    component,
    driver: "pglite",
    domains: schemasOf(component),
    stream: Readable.fromWeb(blob.stream() as never),
  };
}

/**
 * A consistent dump of a component's database. PGlite allows one process at a time: a directory
 * in use by a running hub or shop is refused with a message saying what to do instead.
 */
export async function dumpSource(
  component: BackupComponent,
  location: DatabaseLocation,
): Promise<ArchiveSource> {
  if (location.driver === "postgres") {
    return {
      component,
      driver: "postgres",
      domains: schemasOf(component),
      stream: pgDumpStream(location.url, schemasOf(component), migrationTablesOf(component)),
    };
  }
  if (!existsSync(join(location.dir, "PG_VERSION"))) {
    throw new BackupError(`no ${component} database at ${location.dir} (has the ${component} ever started?)`);
  }
  if (pgliteInUse(location.dir)) {
    throw new BackupError(
      `the ${component} is running on ${location.dir} and the embedded database allows one process at a time: ` +
        (component === "hub"
          ? "press Admin → Backups → Back up now in the dashboard (or POST /api/v1/backups), or stop the stack first"
          : "stop the stack first"),
    );
  }
  const client = new PGlite(location.dir);
  try {
    await client.waitReady;
    return await openPgliteSource(component, () => client.dumpDataDir("gzip"));
  } finally {
    await client.close();
  }
}

/** True when the target already holds data of this component (a restore would mix two histories). */
export async function targetHasData(
  component: BackupComponent,
  location: DatabaseLocation,
): Promise<boolean> {
  if (location.driver === "pglite") return existsSync(location.dir) && readdirSync(location.dir).length > 0;
  const { args, env } = connectionArgs(location.url);
  const list = schemasOf(component)
    .map((s) => `'${s}'`)
    .join(",");
  const out = await runTool(
    "psql",
    [...args, "-Atc", `select count(*) from information_schema.tables where table_schema in (${list})`],
    env,
  );
  return Number(out.trim()) > 0;
}

/**
 * Restores a decrypted dump into an empty target. A non-empty target is refused unless `force`;
 * forced, a PGlite directory is moved aside (never deleted) and Postgres schemas are dropped.
 */
export async function restoreDump(
  component: BackupComponent,
  driver: "pglite" | "postgres",
  plaintextFile: string,
  location: DatabaseLocation,
  force: boolean,
): Promise<{ movedAside?: string }> {
  if (driver !== location.driver) {
    throw new BackupError(
      `this backup was made on ${driver} and the target is ${location.driver}: restore it into the same kind of database`,
    );
  }
  let movedAside: string | undefined;
  if (await targetHasData(component, location)) {
    if (!force) {
      throw new BackupError(
        `${describeLocation(location)} already holds ${component} data; restore into an empty one, or pass --force to replace it`,
      );
    }
    if (location.driver === "pglite") {
      if (pgliteInUse(location.dir))
        throw new BackupError(`the ${component} is running on ${location.dir}: stop it first`);
      movedAside = `${location.dir}.before-restore-${Date.now()}`;
      await rename(location.dir, movedAside);
    } else {
      await dropComponent(component, location.url);
    }
  }
  if (location.driver === "pglite") {
    await mkdir(location.dir, { recursive: true, mode: 0o700 });
    const client = new PGlite(location.dir, { loadDataDir: await openAsBlob(plaintextFile) });
    await client.waitReady;
    await client.close();
  } else {
    await pgRestore(location.url, plaintextFile);
  }
  return movedAside ? { movedAside } : {};
}

/** A location for messages: the directory, or the URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.driver === "pglite") return location.dir;
  const safe = new URL(location.url);
  safe.password = "";
  return safe.toString();
}

async function dropComponent(component: BackupComponent, url: string): Promise<void> {
  const { args, env } = connectionArgs(url);
  const statements = [
    ...schemasOf(component).map((schema) => `drop schema if exists "${schema}" cascade;`),
    ...migrationTablesOf(component).map((table) => `drop table if exists drizzle."${table}";`),
  ].join(" ");
  await runTool("psql", [...args, "-v", "ON_ERROR_STOP=1", "-qc", statements], env);
}

/** pg_restore into a database that may already have the shared `drizzle` schema (another component's). */
async function pgRestore(url: string, file: string): Promise<void> {
  const { args, env } = connectionArgs(url);
  await runTool("psql", [...args, "-qc", "create schema if not exists drizzle"], env);
  const toc = await runTool("pg_restore", ["--list", file], env);
  // The schema entry itself would fail on "already exists": its tables are restored all the same.
  const kept = toc
    .split("\n")
    .filter((line) => !/ SCHEMA - drizzle( |$)/.test(line))
    .join("\n");
  const listFile = `${file}.list`;
  await writeFile(listFile, kept, { mode: 0o600 });
  try {
    await runTool(
      "pg_restore",
      [
        ...args,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        `--use-list=${listFile}`,
        file,
      ],
      env,
    );
  } finally {
    await rm(listFile, { force: true });
  }
}
