import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe } from "vitest";
import type { DomainName } from "../../db/domains.ts";
import { type OpenedDb, openDb } from "../../db/open.ts";
import { postgresClient } from "../../db/postgres-client.ts";
import { createPostgresFromTemplate, openPgliteFromTemplate } from "./db-template.ts";

/** The databases a test file runs against: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const databaseKinds: ReadonlyArray<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

/** A throwaway database: PGlite in memory, or a fresh uniquely named database on the Postgres server. */
export interface TestDatabase extends OpenedDb {
  /** A URL for child processes (Postgres only; PGlite is in-process). */
  url: string | undefined;
}

export interface TestDatabaseOptions {
  /** The Postgres server (default TEST_DATABASE_URL). */
  base?: string | undefined;
  /** Migrate from an empty database instead of copying the migrated template (for tests of migrations). */
  fresh?: boolean;
}

/**
 * Creates a fresh, migrated database of the given kind (Postgres: on the server at `base`): a copy
 * of a template the real migrations built (test/helpers/db-template.ts) unless `fresh`.
 * Close it with `close()`; Postgres drops it.
 */
export async function createTestDatabase(
  kind: "pglite" | "postgres",
  domains: ReadonlyArray<DomainName>,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  if (kind === "pglite")
    return {
      ...(options.fresh ? await openDb({ domains }) : await openPgliteFromTemplate(domains)),
      url: undefined,
    };
  const base = options.base ?? process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `pw_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgresClient(base, { max: 1, onnotice: () => {} });
  if (options.fresh) await admin.unsafe(`create database ${name}`);
  else await createPostgresFromTemplate(admin, base, name, domains);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const opened = await openDb({ domains, url: url.toString(), poolSize: 5 });
  return {
    ...opened,
    url: url.toString(),
    close: async () => {
      await opened.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/**
 * Runs `body` once per database kind inside `describe("[pglite] …")` / `describe("[postgres] …")`,
 * with a fresh database per kind. `get()` returns it inside tests.
 */
export function describeEachDatabase(
  title: string,
  domains: ReadonlyArray<DomainName>,
  body: (get: () => TestDatabase, kind: "pglite" | "postgres") => void,
  options: Pick<TestDatabaseOptions, "fresh"> = {},
): void {
  for (const kind of databaseKinds) {
    describe(`[${kind}] ${title}`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(kind, domains, options);
      });
      afterAll(async () => {
        await database?.close();
      });
      body(() => {
        if (!database) throw new Error("test database not ready");
        return database;
      }, kind);
    });
  }
}
