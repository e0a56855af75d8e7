import postgres from "postgres";

/** Whether this replica should run the once-per-cluster jobs (alert evaluation, retention). */
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
export const leaderLocks = { retention: 7_411_101, alerting: 7_411_102 } as const;

/**
 * Leadership through a Postgres session-level advisory lock on a dedicated connection: the
 * lock is held as long as that connection lives, and passes to another replica when this one
 * dies (its connection drops). Each call re-checks, so a replica that lost its connection
 * stops acting as leader and may win the lock again after reconnecting.
 */
export function advisoryLeadership(url: string, key: number): Leadership {
  const client = postgres(url, { max: 1, idle_timeout: 0, onnotice: () => {} });
  return {
    async isLeader() {
      try {
        const [held] = await client<{ held: boolean }[]>`
          select exists(
            select 1 from pg_locks
            where locktype = 'advisory' and objid = ${key} and pid = pg_backend_pid() and granted
          ) as held`;
        if (held?.held) return true;
        const [won] = await client<{ won: boolean }[]>`select pg_try_advisory_lock(${key}) as won`;
        return won?.won ?? false;
      } catch {
        return false;
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}
