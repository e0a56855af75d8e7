import type { SQL } from "drizzle-orm";
import type { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "./open.ts";
import { isPostgresJs, rawQuery } from "./raw.ts";
import { rowsOf } from "./rows.ts";

interface DrizzleInternals {
  dialect: PgDialect;
  _: { session: { logger: { logQuery(query: string, params: unknown[]): void } } };
}

/**
 * `db.execute(query)` as a prepared statement on Postgres: the server parses and plans it once
 * per connection (postgres-js keeps it by its text) and then only binds and runs it, where
 * drizzle's execute sends every statement unprepared. For hot statements whose planning is a
 * large share of their cost (a CTE of several inserts and joins). PGlite runs it as execute
 * does (its own statements were slower through the raw driver). Logged and counted
 * (countQueries) like any other statement; answers its rows as objects. Not inside a
 * transaction: it runs on the database's own pool.
 */
export async function executePrepared<T>(db: Db, query: SQL): Promise<T[]> {
  const internals = db as unknown as DrizzleInternals;
  if (!isPostgresJs(db)) return rowsOf<T>(await db.execute(query));
  const { sql: text, params } = internals.dialect.sqlToQuery(query);
  internals._.session.logger.logQuery(text, params);
  return (await rawQuery(db)(text, params)) as T[];
}
