import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type postgres from "postgres";
import { type DomainName, domains } from "../../db/domains.ts";
import { type OpenedDb, openDb } from "../../db/open.ts";

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
