/**
 * Reads of a long run for bench:hub: run detail, report.html and a p95 series of a run of
 * READ_WINDOWS one-second windows (130,000 by default, 36 h), each timed with the slowest
 * /healthz answered meanwhile (does the read block the hub?), against the same reads of a
 * 600-window run in the same hub. The hub runs in this process (test/helpers/hub.ts) so a
 * viewer session is at hand; the windows are written with one INSERT … generate_series (the
 * ingest bench measures ingest) and their minutes merged and stored as the hub's background pass
 * does while a run is ingested; then the hub starts, so its first read of each kind is the first
 * after a restart (cold: nothing in memory) and the next ones are what a reader of a finished run
 * gets. Also the run list (GET /runs?limit=500, each run judged with the alerts that fired in
 * it) over LIST_RUNS runs spread across the long run's 36 h and LIST_EVENTS firing events, against
 * the list of the 50 newest. PGlite in its own thread, as the hub opens it (HUB_PGLITE_THREAD, on
 * by default), or Postgres at `postgresUrl`.
 */
import { sql } from "drizzle-orm";
import { componentDomains } from "../db/domains.ts";
import { openDb } from "../db/open.ts";
import { MinuteRollups } from "../server/runs/slices-rollup.ts";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db.ts";
import { startTestHub } from "../test/helpers/hub.ts";
import { makeWindow } from "../test/hub/fixtures.ts";

const READ_WINDOWS = Number(process.env.BENCH_READ_WINDOWS ?? 130_000);
/** Runs and firing alert events the run list is read over. */
const LIST_RUNS = 2000;
const LIST_EVENTS = 20_000;
const PATHS = { detail: "", report: "/report.html", series: "/series?step=browse&stat=p95" } as const;
export type ReadName = keyof typeof PATHS;

export interface ReadTimes {
  windows: number;
  /** Per read: first (cold cache) and the slowest of three warm ones, ms; each with the slowest /healthz meanwhile. */
  reads: Record<ReadName, { coldMs: number; coldHealthMs: number; warmMs: number; worstHealthMs: number }>;
}

/** GET /runs of `limit` runs: the slowest of three reads, ms, and the slowest /healthz meanwhile. */
export interface ListTimes {
  limit: number;
  warmMs: number;
  worstHealthMs: number;
}

export async function longRunReads(
  kind: "pglite" | "postgres",
  postgresUrl?: string,
): Promise<{
  long: ReadTimes;
  short: ReadTimes;
  idleHealthMs: number;
  list: { runs: number; events: number; full: ListTimes; first: ListTimes };
}> {
  const nowSecond = Math.floor(Date.now() / 1000);
  // Not the tests' in-process PGlite: on the hub's own thread a statement never stalls a request,
  // and what a reader waits for on the event loop is what a user of `npm start` would.
  const database: TestDatabase =
    kind === "pglite"
      ? { ...(await openDb({ domains: componentDomains.hub, pgliteThread: true })), url: undefined }
      : await createTestDatabase(kind, componentDomains.hub, { base: postgresUrl });
  const latency = makeWindow(
    { runId: "x", step: "s", worker: "w", second: 0 },
    [1000, 2000, 4000, 9000],
  ).latency;
  // What the hub's background pass did while the runs were ingested: their minutes merged and stored.
  const pass = new MinuteRollups(database.db, { now: () => Date.now(), intervalMs: 0 });
  const seed = async (runId: string, windows: number) => {
    const start = nowSecond - 40 * 3600;
    await database.db.execute(
      sql`insert into hub.windows (run_id, step, worker, second, count, err_connect, err_timeout, err_http4xx, err_http5xx, err_assertion, bytes, target_rate, achieved_rate, dropped, latency)
          select ${runId}, 'browse', 'w1', s, 4, 0, 0, 0, 0, 0, 400, 4, 4, 0, ${latency}
          from generate_series(${start}::bigint, ${start + windows - 1}::bigint) as s`,
    );
    await database.db.execute(
      sql`insert into hub.runs (run_id, profile, target, status, started_at, ended_at)
          values (${runId}, 'soak', 'http://127.0.0.1:4100', 'passed', ${start * 1000}, ${(start + windows) * 1000})`,
    );
    pass.noteStoredElsewhere(
      Array.from({ length: windows }, (_, i) => ({ runId, step: "browse", second: start + i })),
    );
  };
  await seed("short-run", 600);
  await seed("long-run", READ_WINDOWS);
  // The run list's runs, spread over the long run's span, each with its share of firing alerts.
  const spanStart = (nowSecond - 40 * 3600) * 1000;
  const spacing = Math.floor((READ_WINDOWS * 1000) / LIST_RUNS);
  await database.db.execute(
    sql`insert into hub.runs (run_id, profile, target, status, started_at, ended_at)
        select 'listed-' || i, 'smoke', 'http://127.0.0.1:4100', 'passed', ${spanStart}::bigint + i * ${spacing}::bigint,
               ${spanStart}::bigint + i * ${spacing}::bigint + ${Math.floor(spacing / 2)}::bigint
        from generate_series(0, ${LIST_RUNS - 1}) as i`,
  );
  await database.db.execute(
    sql`insert into alerting.alert_history (fingerprint, rule, kind, severity, at, labels, value)
        select 'fp-' || (e % 50), 'CheckoutErrorRate', 'firing', 'critical',
               ${spanStart}::bigint + e * ${Math.floor((READ_WINDOWS * 1000) / LIST_EVENTS)}::bigint,
               jsonb_build_object('runId', 'listed-' || (e * ${LIST_RUNS} / ${LIST_EVENTS}), 'step', 'checkout'), 0.5
        from generate_series(0, ${LIST_EVENTS - 1}) as e`,
  );
  await pass.mergeSettled();
  await pass.stop();
  const t = await startTestHub({ database });
  try {
    const viewer = await t.loginAs("viewer");

    const get = async (runId: string, path: string) => {
      const url = `${t.url}/api/v1/runs/${runId}${path}`;
      const res = await fetch(url, { headers: viewer.headers }).catch(() =>
        fetch(url, { headers: viewer.headers }),
      );
      await res.text();
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    };
    const timed = async (work: () => Promise<unknown>) => {
      let done = false;
      let worstHealthMs = 0;
      const watcher = (async () => {
        while (!done) {
          const started = performance.now();
          await (await fetch(`${t.url}/healthz`)).text();
          worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const started = performance.now();
      await work().finally(() => {
        done = true;
      });
      const ms = performance.now() - started;
      await watcher;
      return { ms, worstHealthMs };
    };
    const measure = async (runId: string, windows: number): Promise<ReadTimes> => {
      const reads = {} as ReadTimes["reads"];
      for (const [name, path] of Object.entries(PATHS) as Array<[ReadName, string]>) {
        const cold = await timed(() => get(runId, path));
        let warmMs = 0;
        let worstHealthMs = 0;
        for (let i = 0; i < 3; i++) {
          const warm = await timed(() => get(runId, path));
          warmMs = Math.max(warmMs, warm.ms);
          worstHealthMs = Math.max(worstHealthMs, warm.worstHealthMs);
        }
        reads[name] = { coldMs: cold.ms, coldHealthMs: cold.worstHealthMs, warmMs, worstHealthMs };
      }
      return { windows, reads };
    };
    const listed = async (limit: number): Promise<ListTimes> => {
      let warmMs = 0;
      let worstHealthMs = 0;
      for (let i = 0; i < 3; i++) {
        const read = await timed(async () => {
          const res = await fetch(`${t.url}/api/v1/runs?limit=${limit}`, { headers: viewer.headers });
          const body = (await res.json()) as { runs?: Array<{ verdictState?: string }> };
          if (res.status !== 200 || body.runs?.length !== limit)
            throw new Error(`GET /runs?limit=${limit} answered ${res.status}`);
        });
        warmMs = Math.max(warmMs, read.ms);
        worstHealthMs = Math.max(worstHealthMs, read.worstHealthMs);
      }
      return { limit, warmMs, worstHealthMs };
    };
    // How slow /healthz is with no read at all: on a loaded machine, not zero.
    const idle = await timed(() => new Promise((r) => setTimeout(r, 2000)));
    return {
      short: await measure("short-run", 600),
      long: await measure("long-run", READ_WINDOWS),
      idleHealthMs: idle.worstHealthMs,
      list: { runs: LIST_RUNS, events: LIST_EVENTS, full: await listed(500), first: await listed(50) },
    };
  } finally {
    await t.close();
    await database.close();
  }
}
