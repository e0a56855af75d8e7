import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type postgres from "postgres";
import { componentDomains, type DomainName, domains } from "../../db/domains.ts";
import { type OpenedDb, openDb, pgliteDir } from "../../db/open.ts";

/**
 * Migrated template databases, so a test's throwaway database is a copy instead of a fresh
 * cluster migrated from nothing (PGlite's initdb alone costs seconds of CPU per database). The
 * first test to need a template builds it with the real migrations; a template's name carries a
 * hash of the PGlite and drizzle builds and of every migration file of its domains, so a changed
 * migration gets a new one.
 */

/** The builds a template depends on besides its migrations: the database engine and the migrator. */
const builds = ["@electric-sql/pglite", "drizzle-orm"]
  .map((name) => {
    const manifest = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return `${name}@${(JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version}`;
  })
  .join(" ");

/** Files under `folder`, relative, sorted (migrations and their journal). */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(folder, f)).isFile())
    .sort();
}

/** A short hash of what a template of these domains holds. */
function templateKey(names: ReadonlyArray<DomainName>): string {
  const hash = createHash("sha256").update(builds);
  for (const name of names) {
    const folder = domains[name].migrationsFolder;
    hash.update(`\0domain ${name}`);
    for (const file of filesUnder(folder))
      hash.update(`\0${file}\0`).update(readFileSync(join(folder, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

const pgliteTemplates = new Map<string, Blob>();

/**
 * A migrated in-memory PGlite: loaded from the template's data directory (kept in the system's
 * temporary directory, shared by every test process), or, for the first one, migrated from an
 * empty cluster and saved as the template.
 */
export async function openPgliteFromTemplate(names: ReadonlyArray<DomainName>): Promise<OpenedDb> {
  const key = templateKey(names);
  const file = join(tmpdir(), `peakwatch-test-pglite-${key}.tar.gz`);
  let template = pgliteTemplates.get(key);
  if (!template && existsSync(file)) template = new Blob([readFileSync(file)]);
  if (template) {
    pgliteTemplates.set(key, template);
    return openDb({ domains: names, pgliteLoadDataDir: template });
  }
  const opened = await openDb({ domains: names });
  const dump = await opened.dumpDataDir!();
  pgliteTemplates.set(key, dump);
  // Written aside, then renamed: a test process never reads half a template.
  const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return opened;
}

/**
 * Puts a migrated PGlite data directory where `peakwatch hub` or `peakwatch shop` opens it under
 * the data directory `dataRoot` (db/open.ts pgliteDir), copied from a template directory built
 * once with the real migrations. The process then skips initdb and the migrations (a fresh hub
 * took ~14 s to answer /healthz, ~3.6 s with the copy; a shop ~9 s and ~3.9 s) and seeds its data
 * as on a fresh directory. For tests about something else than a first start on an empty directory.
 */
export async function seedPgliteDataDir(dataRoot: string, processName: "hub" | "shop"): Promise<void> {
  const names = componentDomains[processName];
  const template = join(tmpdir(), `peakwatch-test-pgdata-${processName}-${templateKey(names)}`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.${randomBytes(4).toString("hex")}`;
    // openDb makes this process create private files (umask 077); the test's own files stay as they were.
    const umask = process.umask();
    try {
      const opened = await openDb({ domains: names, dataDir: building });
      await opened.close();
    } finally {
      process.umask(umask);
    }
    // Built aside, then renamed: no process copies half a template. Another may have won the race.
    try {
      renameSync(building, template);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(template)) throw error;
    }
  }
  cpSync(template, pgliteDir(dataRoot, processName), { recursive: true });
}

/** Serialises template builds across test processes (advisory locks are per database: this one is the admin's). */
const TEMPLATE_LOCK = 7_411_003;

const postgresTemplates = new Set<string>();

/**
 * Creates database `name` on the server of `base` as a copy of the migrated template of `names`,
 * building the template first if the server has none. `admin` must hold a single connection.
 */
export async function createPostgresFromTemplate(
  admin: postgres.Sql,
  base: string,
  name: string,
  names: ReadonlyArray<DomainName>,
): Promise<void> {
  const template = `pw_template_${templateKey(names)}`;
  if (!postgresTemplates.has(template)) {
    await admin`select pg_advisory_lock(${TEMPLATE_LOCK})`;
    try {
      const found = await admin`select 1 from pg_database where datname = ${template}`;
      if (found.length === 0) await buildPostgresTemplate(admin, base, template, names);
    } finally {
      await admin`select pg_advisory_unlock(${TEMPLATE_LOCK})`;
    }
    postgresTemplates.add(template);
  }
  await admin.unsafe(`create database ${name} template ${template}`);
}

async function buildPostgresTemplate(
  admin: postgres.Sql,
  base: string,
  template: string,
  names: ReadonlyArray<DomainName>,
): Promise<void> {
  const building = `${template}_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database ${building}`);
  try {
    const url = new URL(base);
    url.pathname = `/${building}`;
    const opened = await openDb({ domains: names, url: url.toString(), poolSize: 1 });
    await opened.close();
    // The migrating connection may take a moment to leave; a rename needs the database unused.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`alter database ${building} rename to ${template}`);
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await admin.unsafe(`drop database if exists ${building} with (force)`);
    throw error;
  }
}
