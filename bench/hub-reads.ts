/**
 * Reads of a long run for bench:hub: run detail, report.html and a p95 series of a run of
 * READ_WINDOWS one-second windows (130,000 by default, 36 h), each timed with the slowest
 * /healthz answered meanwhile (does the read block the hub?), against the same reads of a
 * 600-window run in the same hub. The hub runs in this process (test/helpers/hub.ts) so a
 * viewer session is at hand; the windows are written with one INSERT … generate_series (the
 * ingest bench measures ingest) and the roll-up cache starts cold, as after a restart: the
 * first read merges, the next ones are what a reader of a finished run gets.
 */
import { sql } from "drizzle-orm";
import { startTestHub } from "../test/helpers/hub.ts";
import { makeWindow } from "../test/hub/fixtures.ts";

const READ_WINDOWS = Number(process.env.BENCH_READ_WINDOWS ?? 130_000);
const PATHS = { detail: "", report: "/report.html", series: "/series?step=browse&stat=p95" } as const;
export type ReadName = keyof typeof PATHS;

export interface ReadTimes {
  windows: number;
  /** Per read: first (cold cache) and the slowest of three warm ones, ms; each with the slowest /healthz meanwhile. */
  reads: Record<ReadName, { coldMs: number; coldHealthMs: number; warmMs: number; worstHealthMs: number }>;
}

export async function longRunReads(): Promise<{ long: ReadTimes; short: ReadTimes; idleHealthMs: number }> {
  const nowSecond = Math.floor(Date.now() / 1000);
  const t = await startTestHub({ kind: "pglite" });
  try {
    const viewer = await t.loginAs("viewer");
    const latency = makeWindow(
      { runId: "x", step: "s", worker: "w", second: 0 },
      [1000, 2000, 4000, 9000],
    ).latency;
    const seed = async (runId: string, windows: number) => {
      const start = nowSecond - 40 * 3600;
      await t.database.db.execute(
        sql`insert into hub.windows (run_id, step, worker, second, count, err_connect, err_timeout, err_http4xx, err_http5xx, err_assertion, bytes, target_rate, achieved_rate, dropped, latency)
            select ${runId}, 'browse', 'w1', s, 4, 0, 0, 0, 0, 0, 400, 4, 4, 0, ${latency}
            from generate_series(${start}::bigint, ${start + windows - 1}::bigint) as s`,
      );
      await t.database.db.execute(
        sql`insert into hub.runs (run_id, profile, target, status, started_at, ended_at)
            values (${runId}, 'soak', 'http://127.0.0.1:4100', 'passed', ${start * 1000}, ${(start + windows) * 1000})`,
      );
    };
    await seed("short-run", 600);
    await seed("long-run", READ_WINDOWS);
    // The insert held PGlite long enough for idle keep-alive sockets to be closed under the client.
    await fetch(`${t.url}/healthz`).catch(() => undefined);

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
    // How slow /healthz is with no read at all: on a loaded machine, not zero.
    const idle = await timed(() => new Promise((r) => setTimeout(r, 2000)));
    return {
      short: await measure("short-run", 600),
      long: await measure("long-run", READ_WINDOWS),
      idleHealthMs: idle.worstHealthMs,
    };
  } finally {
    await t.close();
  }
}
