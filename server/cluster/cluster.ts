import { randomInt } from "node:crypto";
import { hostname } from "node:os";
import type postgres from "postgres";
import {
  advisoryLeadership,
  type Duty,
  type Leadership,
  leaderLocks,
  lockConnection,
  soleLeader,
} from "./leader.ts";

/** This hub replica as the others see it. */
export interface Replica {
  /** Key of the presence lock this replica holds while it lives (stored on the runs it supervises). */
  key: number;
  host: string;
  pid: number;
}

/**
 * The replicas of one hub sharing a database: who leads each cluster-wide duty, and whether a
 * replica (known by its presence key) is still alive. On Postgres both come from advisory locks
 * on one dedicated connection per replica: when a replica dies, even by SIGKILL, its connection
 * drops and Postgres frees its locks at once, so the others see it gone and can take its duties.
 */
export interface Cluster {
  self: Replica;
  leadership(duty: Duty): Leadership;
  /** Whether the replica with this presence key still holds its presence lock. Never throws. */
  isAlive(key: number): Promise<boolean>;
  /** The duties this replica held at its last check of each. */
  leading(): Record<Duty, boolean>;
  close(): Promise<void>;
}

/** Two-key advisory locks with this first key are presence locks; the second is the replica's key. */
const PRESENCE_CLASS = 7_411_000;
const PRESENCE_RECHECK_MS = 2_000;

function newReplica(): Replica {
  return { key: randomInt(1, 2 ** 31 - 1), host: hostname(), pid: process.pid };
}

/** Records each duty's last answer, for leading(). */
function observed(duties: Record<Duty, boolean>, duty: Duty, inner: Leadership): Leadership {
  return {
    async isLeader() {
      const leader = await inner.isLeader();
      duties[duty] = leader;
      return leader;
    },
    close: () => inner.close(),
  };
}

const noDuties = (): Record<Duty, boolean> => ({
  retention: false,
  alerting: false,
  scraping: false,
  supervision: false,
});

/** One process on PGlite: it leads everything and is the only replica alive. */
export function soleCluster(): Cluster {
  const self = newReplica();
  const duties = noDuties();
  return {
    self,
    leadership: (duty) => observed(duties, duty, soleLeader),
    isAlive: async (key) => key === self.key,
    leading: () => ({ ...duties }),
    close: async () => {},
  };
}

/** Replicas on one Postgres; resolves once this replica holds its presence lock. */
export async function postgresCluster(url: string): Promise<Cluster> {
  const client: postgres.Sql = lockConnection(url);
  const self = newReplica();
  const duties = noDuties();
  const present = async () => {
    // Check before taking: session locks stack, and one release must free it on close.
    const [held] = await client<{ held: boolean }[]>`
      select exists(
        select 1 from pg_locks
        where locktype = 'advisory' and classid = ${PRESENCE_CLASS} and objid = ${self.key}
          and objsubid = 2 and pid = pg_backend_pid() and granted
      ) as held`;
    if (!held?.held) await client`select pg_advisory_lock(${PRESENCE_CLASS}, ${self.key})`;
  };
  await present();
  // After a reconnect the lock is gone: take it again (no other replica uses this key).
  const timer = setInterval(() => void present().catch(() => {}), PRESENCE_RECHECK_MS);
  timer.unref();
  return {
    self,
    leadership: (duty) => observed(duties, duty, advisoryLeadership(client, leaderLocks[duty])),
    async isAlive(key) {
      if (key === self.key) return true;
      try {
        const [row] = await client<{ alive: boolean }[]>`
          select exists(
            select 1 from pg_locks
            where locktype = 'advisory' and classid = ${PRESENCE_CLASS} and objid = ${key}
              and objsubid = 2 and granted
          ) as alive`;
        return row?.alive ?? true;
      } catch {
        // Unsure is alive: taking over a live replica's run is worse than waiting a tick.
        return true;
      }
    },
    leading: () => ({ ...duties }),
    close: async () => {
      clearInterval(timer);
      await client.end({ timeout: 5 });
    },
  };
}
