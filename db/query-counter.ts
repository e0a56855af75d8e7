import type { Logger } from "drizzle-orm/logger";
import type { Db } from "./open.ts";

/** The parts of a drizzle session (pglite and postgres-js alike) that decide its logger. */
interface LoggingSession {
  logger: Logger;
  options: { logger?: Logger };
}

/**
 * Calls `onQuery` for every statement sent through `db` from now on, transactions included
 * (their BEGIN and COMMIT are not counted). It hooks drizzle's query logger, which both
 * drivers call once per statement, so statements prepared before this call are not counted:
 * call it before building stores. Cheap enough for production (one call per statement).
 */
export function countQueries(db: Db, onQuery: () => void): void {
  const session = db._.session as unknown as LoggingSession;
  const inner = session.logger;
  const logger: Logger = {
    logQuery(query, params) {
      onQuery();
      inner.logQuery(query, params);
    },
  };
  session.logger = logger;
  // Transactions build their session from these options.
  session.options.logger = logger;
}
