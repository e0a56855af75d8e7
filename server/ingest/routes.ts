import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { RunView } from "../../core/api/runs.ts";
import { AppError } from "../../core/http/app-error.ts";
import { type ProbeResult, ProbeResultBatchSchema } from "../../core/probe-result.ts";
import { RunReportSchema } from "../../core/run.ts";
import { type Window, WindowBatchSchema } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { requireAgent } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { rowToRunView } from "../runs/run-view.ts";
import { storeProbeResults, storeRunReport, storeWindows } from "./store.ts";

/** What happens after a batch is stored (live push, alerting, metrics). Must not block. */
export interface IngestListener {
  windowsStored?(windows: ReadonlyArray<Window>, seconds: number): void;
  probeResultsStored?(results: ReadonlyArray<ProbeResult>, seconds: number): void;
  runStored?(run: RunView): void;
}

export interface IngestRoutesOptions {
  db: Db;
  maxBytes: number;
  listeners: ReadonlyArray<IngestListener>;
}

/**
 * POST /ingest/windows, /ingest/probe-results, /ingest/runs (agent token). A batch is validated
 * whole before anything is stored: one bad item gets a 400 naming `windows[i].field`.
 */
export function ingestRoutes({ db, maxBytes, listeners }: IngestRoutesOptions): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use(
    "/ingest/*",
    requireAgent(),
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new AppError("payload_too_large", `body larger than ${maxBytes} bytes; send smaller batches`);
      },
    }),
  );

  app.post("/ingest/windows", async (c) => {
    const { windows } = await jsonBody(c, WindowBatchSchema);
    const started = performance.now();
    const stored = await storeWindows(db, windows);
    const seconds = (performance.now() - started) / 1000;
    for (const l of listeners) l.windowsStored?.(windows, seconds);
    return c.json({ stored });
  });

  app.post("/ingest/probe-results", async (c) => {
    const { results } = await jsonBody(c, ProbeResultBatchSchema);
    const started = performance.now();
    const stored = await storeProbeResults(db, results);
    const seconds = (performance.now() - started) / 1000;
    for (const l of listeners) l.probeResultsStored?.(results, seconds);
    return c.json({ stored });
  });

  app.post("/ingest/runs", async (c) => {
    const report = await jsonBody(c, RunReportSchema);
    const run = rowToRunView(await storeRunReport(db, report));
    for (const l of listeners) l.runStored?.(run);
    return c.json({ ok: true });
  });
  return app;
}
