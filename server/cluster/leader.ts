import type postgres from "postgres";
import { postgresClient } from "../../db/postgres-client.ts";

/** Whether this replica should run a once-per-cluster job (alert evaluation, retention, …). */
export interface Leadership {
  /** True while this replica holds the lead; cheap enough to call before every job run. */
  isLeader(): Promise<boolean>;
  close(): Promise<void>;
}

/** PGlite lives inside one process: that process is always the leader. */
export const soleLeader: Leadership = {
  isLeader: async () => true,
  close: async () => {},
};

/** Advisory-lock keys of the hub's cluster-wide jobs. */
export const leaderLocks = {
  retention: 7_411_101,
  alerting: 7_411_102,
  scraping: 7_411_103,
  supervision: 7_411_104,
} as const;
export type Duty = keyof typeof leaderLocks;

/**
 * A connection that lives as long as the replica: no idle timeout and no maximum lifetime
 * (postgres.js otherwise recycles a connection after 30 to 60 minutes, which would drop
 * every lock it holds and hand the duties around for no reason).
 */
export function lockConnection(url: string): postgres.Sql {
  return postgresClient(url, { max: 1, idle_timeout: 0, max_lifetime: null, onnotice: () => {} });
}

/**
 * Leadership through a Postgres session-level advisory lock: the lock is held as long as its
 * connection lives, and passes to another replica when this one dies (its connection drops).
 * Each call re-checks, so a replica that lost its connection stops acting as leader and may
 * win the lock again after reconnecting. Given a URL it opens (and closes) its own connection;
 * given a connection it shares it and leaves closing it to the owner.
 */
export function advisoryLeadership(connection: string | postgres.Sql, key: number): Leadership {
  const client = typeof connection === "string" ? lockConnection(connection) : connection;
  return {
    async isLeader() {
      try {
        const [held] = await client<{ held: boolean }[]>`
          select exists(
            select 1 from pg_locks
            where locktype = 'advisory' and objid = ${key} and objsubid = 1
              and pid = pg_backend_pid() and granted
          ) as held`;
        if (held?.held) return true;
        const [won] = await client<{ won: boolean }[]>`select pg_try_advisory_lock(${key}) as won`;
        return won?.won ?? false;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (typeof connection === "string") await client.end({ timeout: 5 });
    },
  };
}
