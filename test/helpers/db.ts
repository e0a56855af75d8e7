import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe } from "vitest";
import type { DomainName } from "../../db/domains.ts";
import { type OpenedDb, openDb } from "../../db/open.ts";

/** The databases a test file runs against: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const databaseKinds: ReadonlyArray<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

/** A throwaway database: PGlite in memory, or a fresh uniquely named database on the Postgres server. */
export interface TestDatabase extends OpenedDb {
  /** A URL for child processes (Postgres only; PGlite is in-process). */
  url: string | undefined;
}

/**
 * Creates a fresh, migrated database of the given kind (Postgres: on the server at `base`).
 * Close it with `close()`; Postgres drops it.
 */
export async function createTestDatabase(
  kind: "pglite" | "postgres",
  domains: ReadonlyArray<DomainName>,
  base = process.env.TEST_DATABASE_URL,
): Promise<TestDatabase> {
  if (kind === "pglite") return { ...(await openDb({ domains })), url: undefined };
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `pw_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
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
): void {
  for (const kind of databaseKinds) {
    describe(`[${kind}] ${title}`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(kind, domains);
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
