import { randomUUID } from "node:crypto";
import type { FaultChange } from "../../core/faults.ts";
import { postgresClient } from "../../db/postgres-client.ts";

/**
 * What one replica tells the others after storing something live clients may want. Only
 * references travel (NOTIFY payloads are capped at 8000 bytes); receivers read the rows.
 */
export type ClusterEvent =
  | { type: "alerts" }
  | { type: "probes"; ids: string[] }
  | { type: "run"; runId: string }
  /** Someone asked to stop or abort a run: the replica supervising it reads the request and acts. */
  | { type: "stop"; runId: string }
  | { type: "fault"; change: FaultChange; projectId: string }
  | { type: "windows"; runs: RunSeconds[] };

/** A run's stored seconds, from and to (inclusive): what another replica reads back for its live clients. */
export interface RunSeconds {
  runId: string;
  from: number;
  to: number;
}

/** Widens the run's range in `ranges` to take in the window's second. */
export function widenRunSeconds(ranges: Map<string, RunSeconds>, w: { runId: string; second: number }): void {
  const r = ranges.get(w.runId);
  if (!r) ranges.set(w.runId, { runId: w.runId, from: w.second, to: w.second });
  else {
    r.from = Math.min(r.from, w.second);
    r.to = Math.max(r.to, w.second);
  }
}

export interface ClusterBus {
  /** Tells the other replicas; never blocks, never throws. */
  publish(event: ClusterEvent): void;
  /** Receives other replicas' events (never this replica's own). */
  subscribe(handler: (event: ClusterEvent) => void): void;
  close(): Promise<void>;
}

/** One process (PGlite): nobody else to tell. */
export const localBus: ClusterBus = { publish() {}, subscribe() {}, close: async () => {} };

const CHANNEL = "peakwatch_live";
const IDS_PER_MESSAGE = 100;

/** A bus over Postgres LISTEN/NOTIFY on a dedicated connection. */
export async function postgresBus(url: string): Promise<ClusterBus> {
  const origin = randomUUID();
  const client = postgresClient(url, { max: 1, onnotice: () => {} });
  const handlers: Array<(event: ClusterEvent) => void> = [];
  const listening = await client.listen(CHANNEL, (payload) => {
    let message: { origin: string; event: ClusterEvent };
    try {
      message = JSON.parse(payload) as { origin: string; event: ClusterEvent };
    } catch {
      return;
    }
    if (message.origin === origin) return;
    for (const handle of handlers) handle(message.event);
  });
  const send = (event: ClusterEvent) => {
    client.notify(CHANNEL, JSON.stringify({ origin, event })).catch(() => {});
  };
  return {
    publish(event) {
      if (event.type === "probes") {
        for (let i = 0; i < event.ids.length; i += IDS_PER_MESSAGE) {
          send({ type: "probes", ids: event.ids.slice(i, i + IDS_PER_MESSAGE) });
        }
      } else if (event.type === "windows") {
        for (let i = 0; i < event.runs.length; i += 50)
          send({ type: "windows", runs: event.runs.slice(i, i + 50) });
      } else {
        send(event);
      }
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    close: async () => {
      await listening.unlisten();
      await client.end({ timeout: 5 });
    },
  };
}
