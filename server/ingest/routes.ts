import { Hono } from "hono";
import { z } from "zod";
import type { IngestAnswer } from "../../core/api/ingest.ts";
import type { RunView } from "../../core/api/runs.ts";
import { AppError } from "../../core/http/app-error.ts";
import { limitBody } from "../../core/http/body-limit.ts";
import { type ProbeResult, ProbeResultBatchSchema } from "../../core/probe-result.ts";
import { type RunReport, RunReportSchema } from "../../core/run.ts";
import type { Window } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { requireAgent } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { projectOf } from "../projects/scope.ts";
import { rowToRunView } from "../runs/run-view.ts";
import { RunOwners } from "./run-owners.ts";
import { StopRequests } from "./stop-requests.ts";
import { foreignRunIds, storeProbeResults, storeRunReport } from "./store.ts";
import { validateWindowBatch } from "./window-batch.ts";
import { WindowWriter, WriterBusy } from "./window-writer.ts";

/** What happens after a batch is stored (live push, alerting, metrics). Must not block. */
export interface IngestListener {
  windowsStored?(windows: ReadonlyArray<Window>, seconds: number, projectId: string): void;
  probeResultsStored?(results: ReadonlyArray<ProbeResult>, seconds: number, projectId: string): void;
  /**
   * `report` is what the generator sent; `run` is the run as stored, which the hub may keep apart
   * from it; `by` names the agent token that sent it (`run:<id>` for a run's own).
   */
  runStored?(run: RunView, projectId: string, report: RunReport, by: string): void;
}

export interface IngestRoutesOptions {
  db: Db;
  maxBytes: number;
  listeners: ReadonlyArray<IngestListener>;
  /** Epoch milliseconds; windows are accepted only near it (default Date.now). */
  now?: () => number;
  /** How old a window may be: the hub's raw retention, in seconds. */
  rawRetentionSeconds: number;
  /** How far ahead of the hub's clock a window may be, in seconds (default 300). */
  maxSkewSeconds?: number;
  /** Windows waiting for the database at most before batches get 429 (WindowWriter's default). */
  maxQueuedWindows?: number;
  /** The group-commit writer, when the caller reads its queue (default: one of the routes' own). */
  writer?: WindowWriter;
}

/**
 * POST /ingest/windows, /ingest/probe-results, /ingest/runs (agent token). A batch is validated
 * whole before anything is stored: one bad item gets a 400 naming `windows[i].field`. The
 * windows' answer names the runs of the batch asked to stop (core/api/ingest.ts).
 */
export function ingestRoutes(options: IngestRoutesOptions): Hono<HubEnv> {
  const { db, maxBytes, listeners } = options;
  const limits = {
    now: options.now ?? Date.now,
    rawRetentionSeconds: options.rawRetentionSeconds,
    maxSkewSeconds: options.maxSkewSeconds ?? 300,
  };
  const owners = new RunOwners(db, { now: limits.now });
  const stopRequests = new StopRequests(db, undefined, limits.now);
  // Concurrent agents' batches share statements and commits (group commit).
  const writer = options.writer ?? new WindowWriter(db, { maxQueuedRows: options.maxQueuedWindows });
  const app = new Hono<HubEnv>();
  // Not Hono's bodyLimit: it turns every request into a full web Request whose body the
  // handler then reads through a ReadableStream (≈ 5 % of the hub's CPU at 20,000 windows/s).
  app.use("/ingest/*", requireAgent(), limitBody(maxBytes, { hint: "send smaller batches" }));

  // An agent checks its token before it sends load: a refused token is said at once, not after the run.
  app.get("/ingest/token", (c) => c.json({ project: projectOf(c).slug }));

  app.post("/ingest/windows", async (c) => {
    const windows = await validateWindowBatch(await jsonBody(c, z.unknown()), limits);
    const project = projectOf(c);
    const runIds = windows.map((w) => w.runId);
    const foreign = await owners.firstForeign(runIds, project.id);
    if (foreign !== undefined) throw new AppError("not_found", `no run ${foreign}`);
    const started = performance.now();
    const stored = await writer.store(windows, project.id).catch((error: unknown) => {
      if (!(error instanceof WriterBusy)) throw error;
      // Agents keep their windows and retry after a back-off (loadgen/outputs/hub.ts).
      throw new AppError("rate_limited", `the hub is busy: ${error.message}; retry in a second`, {
        headers: { "retry-after": "1" },
      });
    });
    owners.stored(runIds, project.id);
    const seconds = (performance.now() - started) / 1000;
    for (const l of listeners) l.windowsStored?.(windows, seconds, project.id);
    const stop = await stopRequests.of(runIds);
    return c.json({ stored, ...(stop ? { stop } : {}) } satisfies IngestAnswer);
  });

  app.post("/ingest/probe-results", async (c) => {
    const { results } = await jsonBody(c, ProbeResultBatchSchema);
    const started = performance.now();
    const projectId = projectOf(c).id;
    const stored = await storeProbeResults(db, results, projectId);
    const seconds = (performance.now() - started) / 1000;
    for (const l of listeners) l.probeResultsStored?.(results, seconds, projectId);
    return c.json({ stored });
  });

  app.post("/ingest/runs", async (c) => {
    const report = await jsonBody(c, RunReportSchema);
    const project = projectOf(c);
    await refuseForeignRuns(db, [report.runId], project.id);
    const row = await storeRunReport(db, report, project.id);
    // Raced with another project's report of the same id: that run is not this token's to touch.
    if (!row) throw new AppError("not_found", `no run ${report.runId}`);
    const run = rowToRunView(row);
    const principal = c.get("principal");
    const by = principal?.kind === "agent" ? principal.name : "";
    for (const l of listeners) l.runStored?.(run, project.id, report, by);
    return c.json({ ok: true });
  });
  return app;
}

/** 404 (as if it did not exist) when a batch names a run of another project; nothing is stored. */
async function refuseForeignRuns(db: Db, runIds: ReadonlyArray<string>, projectId: string): Promise<void> {
  const [foreign] = await foreignRunIds(db, runIds, projectId);
  if (foreign !== undefined) throw new AppError("not_found", `no run ${foreign}`);
}
