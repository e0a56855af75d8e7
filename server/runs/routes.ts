import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { and, desc, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { RunWorkerView } from "../../core/api/runs.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { builtinProfiles, profileList } from "../../core/profiles/index.ts";
import { autoWorkers, runStatuses } from "../../core/run.ts";
import { JOURNEY_STEP, type WindowSummary } from "../../core/window.ts";
import type { Db } from "../../db/open.ts";
import { runs } from "../../db/schema/hub.ts";
import { storedRunVerdict, verdictStatesOf } from "../alerting/run-verdict.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { jsonBody } from "../http/json-body.ts";
import { type ProjectScope, projectOf } from "../projects/scope.ts";
import { targetAllowed } from "./allowlist.ts";
import type { RunCoordinator } from "./coordinator.ts";
import { renderRunJob, runJobName } from "./kubernetes-job.ts";
import type { RunLauncher, StopMode } from "./launcher.ts";
import { htmlReport, junitReport, type RunReportData } from "./report.ts";
import { plannedSeconds } from "./run-plan.ts";
import { rowToRunView } from "./run-view.ts";
import type { RunWorkers } from "./run-workers.ts";
import { autoResolution, series, seriesStats, summarizeBySteps } from "./slices.ts";
import {
  loadReportSlices,
  loadSlices,
  loadSlicesPerMinute,
  loadSummarySlices,
  RAW_SLICE_LIMIT,
} from "./slices-query.ts";
import type { MinuteRollups } from "./slices-rollup.ts";

export interface RunRoutesOptions {
  db: Db;
  launcher: RunLauncher;
  coordinator: RunCoordinator;
  /** Presence key of this replica: it supervises the runs it starts. */
  replicaKey: number;
  /** Tells the other replicas a stop was requested (the supervising one acts on it). */
  stopRequested: (runId: string) => void;
  /** Where rendered Kubernetes manifests go: `<dataDir>/runs/<runId>/job.yaml`. */
  dataDir: string;
  /** The hub URL workers report to (the replicas' load balancer, or this hub). */
  workerHubUrl: () => string;
  /** Milliseconds from the request to the common start of a run's workers, by placement. */
  startDelayMs: { local: number; kubernetes: number };
  workersStore: RunWorkers;
  /** Creates the run's agent token (for a rendered Job; local workers get theirs from the launcher). */
  createRunToken: (runId: string, projectId: string) => Promise<string>;
  shopUrl: string;
  allowedHosts: ReadonlyArray<string>;
  /** Tells live clients a run changed. */
  changed: (runId: string) => void;
  /** Per-minute roll-ups, so reads of long runs do not grow with their length. */
  rollups?: MinuteRollups;
}

const runId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/);
const IdSchema = z.object({ id: runId });
const ListSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(runStatuses).optional(),
});
/** One machine's worth of local generator processes; more belong on Kubernetes. */
const MAX_LOCAL_WORKERS = 64;
const StartSchema = z.strictObject({
  profile: z.string().min(1).max(200),
  /** The shop to load; the hub's own shop (PEAKWATCH_SHOP_URL) when absent. */
  target: z.url().optional(),
  rateScale: z.number().positive().max(1000).optional(),
  durationScale: z.number().positive().max(1000).optional(),
  /** Worker processes (local) or pods (kubernetes) that split the run's schedule; "auto": this machine's cores − 1. */
  workers: z
    .union([z.literal("auto"), z.number().int().min(1).max(1000)], {
      error: `a whole number from 1 to ${MAX_LOCAL_WORKERS} (to 1000 with placement "kubernetes"), or "auto"`,
    })
    .default(1)
    .transform((w) => (w === "auto" ? autoWorkers(availableParallelism()) : w)),
  /** `local`: child processes of this hub; `kubernetes`: an Indexed Job manifest the hub writes. */
  placement: z.enum(["local", "kubernetes"]).default("local"),
});
const SeriesSchema = z.object({
  step: z.string().min(1).max(100).optional(),
  stat: z.enum(seriesStats).default("p95"),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  /** Bucket width in seconds; default keeps about 600 points. */
  resolution: z.coerce.number().int().min(1).max(86_400).optional(),
});
const CompareSchema = z.object({ a: runId, b: runId });

/** Runs: list, start (ops), stop (ops), detail with merged summaries, series, compare, reports, profiles. */
export function runRoutes(options: RunRoutesOptions): Hono<HubEnv> {
  const { db, launcher } = options;
  const app = new Hono<HubEnv>();

  /** A run of the project; another project's run answers 404 like a missing one. */
  async function findRun(id: string, project: ProjectScope) {
    const [row] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.runId, id), eq(runs.projectId, project.id)));
    if (!row) throw new AppError("not_found", `no run ${id}`);
    return rowToRunView(row);
  }

  async function reportData(id: string, project: ProjectScope): Promise<RunReportData> {
    const run = await findRun(id, project);
    return {
      run,
      ...summarizeBySteps(await loadSummarySlices(db, id, {}, options.rollups)),
      combinedVerdict: await storedRunVerdict(db, id, Date.now(), project.id),
    };
  }

  app.get("/profiles", requireRole("viewer"), (c) => c.json({ profiles: profileList() }));

  app.get("/runs", requireRole("viewer"), async (c) => {
    const { limit, status } = parseOr400(ListSchema, c.req.query(), "query");
    const rows = await db
      .select()
      .from(runs)
      .where(and(eq(runs.projectId, projectOf(c).id), status ? eq(runs.status, status) : undefined))
      .orderBy(desc(runs.startedAt))
      .limit(limit);
    const states = await verdictStatesOf(db, rows, Date.now(), projectOf(c).id);
    return c.json({
      runs: rows.map((r) => {
        const verdictState = states.get(r.runId);
        return { ...rowToRunView(r), ...(verdictState ? { verdictState } : {}) };
      }),
    });
  });

  app.post("/runs", requireRole("ops"), async (c) => {
    const body = await jsonBody(c, StartSchema);
    if (!builtinProfiles[body.profile]) {
      throw new AppError(
        "bad_request",
        `body.profile: unknown profile "${body.profile}" (see GET /api/v1/profiles)`,
      );
    }
    if (builtinProfiles[body.profile]!.breakpoint && body.workers > 1) {
      throw new AppError(
        "bad_request",
        `body.workers: profile ${body.profile} finds a capacity where one ramp breaks and runs as one generator (one drives its whole ramp); leave workers at 1`,
      );
    }
    const target = body.target ?? options.shopUrl;
    const allowed = targetAllowed(target, {
      shopUrl: options.shopUrl,
      extraHosts: options.allowedHosts,
    });
    if (!allowed.ok) throw new AppError("bad_request", `body.target: ${allowed.reason}`);
    if (body.placement === "local" && body.workers > MAX_LOCAL_WORKERS) {
      throw new AppError(
        "bad_request",
        `body.workers: at most ${MAX_LOCAL_WORKERS} local worker processes; use placement "kubernetes" for more`,
      );
    }
    const principal = c.get("principal");
    const id = `run-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
    const now = Date.now();
    const startAt =
      body.workers > 1 || body.placement === "kubernetes" ? now + options.startDelayMs[body.placement] : null;
    const [row] = await db
      .insert(runs)
      .values({
        projectId: projectOf(c).id,
        runId: id,
        profile: body.profile,
        target,
        status: "starting",
        startedAt: now,
        startedBy: principal?.kind === "user" ? principal.email : null,
        workers: body.workers,
        plannedSeconds: plannedSeconds(body.profile, body.durationScale),
        placement: body.placement,
        startAt,
        rateScale: body.rateScale ?? null,
        supervisorKey: options.replicaKey,
      })
      .returning();
    const launch = {
      runId: id,
      projectId: projectOf(c).id,
      ...body,
      target,
      ...(startAt !== null ? { startAt } : {}),
    };
    if (body.placement === "kubernetes") {
      const manifest = await writeRunJob(launch, startAt!);
      options.changed(id);
      return c.json({ run: rowToRunView(row!), manifest }, 201);
    }
    await launcher.launch(launch);
    options.changed(id);
    return c.json({ run: rowToRunView(row!) }, 201);
  });

  /** Renders the run's Job (with a fresh agent token) into the data directory, readable by the hub's user only. */
  async function writeRunJob(
    run: {
      runId: string;
      projectId: string;
      profile: string;
      target: string;
      workers: number;
      rateScale?: number;
      durationScale?: number;
    },
    startAt: number,
  ) {
    await options.workersStore.register(
      run.runId,
      Array.from({ length: run.workers }, (_, index) => ({ worker: `w${index}`, index })),
    );
    const yaml = renderRunJob({
      ...run,
      startAt,
      hubUrl: options.workerHubUrl(),
      agentToken: await options.createRunToken(run.runId, run.projectId),
    });
    const dir = join(options.dataDir, "runs", run.runId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, "job.yaml");
    writeFileSync(path, yaml, { mode: 0o600 });
    chmodSync(path, 0o600);
    return { path, yaml, apply: `kubectl apply -f ${path}`, jobName: runJobName(run.runId) };
  }

  async function stopRun(id: string, mode: StopMode, project: ProjectScope) {
    const [row] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.runId, id), eq(runs.projectId, project.id)));
    if (!row) throw new AppError("not_found", `no run ${id}`);
    if (row.status !== "starting" && row.status !== "running") {
      throw new AppError("conflict", `run ${id} has already finished (${row.status})`);
    }
    if (row.supervisorKey === null) {
      throw new AppError(
        "conflict",
        `run ${id} was not started by the hub (stop its generator where it runs)`,
      );
    }
    await options.coordinator.requestStop(id, mode);
    if (row.placement === "kubernetes") {
      // Pods cannot be signalled from here: the answer to their next windows tells them to stop
      // (their token stays valid to flush), and the run ends once they have fallen silent.
      options.changed(id);
    } else if (!launcher.stop(id, mode)) {
      // Another replica runs its processes: it hears this at once, and polls besides.
      options.stopRequested(id);
    }
    return rowToRunView((await db.select().from(runs).where(eq(runs.runId, id)))[0]!);
  }

  app.post("/runs/:id/stop", requireRole("ops"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    return c.json({ run: await stopRun(id, "stop", projectOf(c)) }, 202);
  });

  app.post("/runs/:id/abort", requireRole("ops"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    return c.json({ run: await stopRun(id, "abort", projectOf(c)) }, 202);
  });

  app.get("/runs/:id/workers", requireRole("viewer"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    await findRun(id, projectOf(c));
    const workers = await options.workersStore.list(id);
    return c.json({
      workers: workers.map(
        (w): RunWorkerView => ({
          worker: w.worker,
          index: w.index,
          state: w.state as RunWorkerView["state"],
          host: w.host,
          pid: w.pid,
          lastSeenAt: w.lastSeenAt,
          lastSecond: w.lastSecond,
          exitCode: w.exitCode,
          lostReason: w.lostReason,
        }),
      ),
    });
  });

  app.get("/runs/compare", requireRole("viewer"), async (c) => {
    const { a, b } = parseOr400(CompareSchema, c.req.query(), "query");
    const [ra, rb] = await Promise.all([reportData(a, projectOf(c)), reportData(b, projectOf(c))]);
    const diff: Record<
      string,
      Record<string, { a: number | null; b: number | null; change: number | null }>
    > = {};
    const pick = (s: WindowSummary | undefined) =>
      s && {
        p50: s.latency.p50,
        p95: s.latency.p95,
        p99: s.latency.p99,
        errorRate: s.errorRate,
        count: s.count,
      };
    for (const step of new Set([...Object.keys(ra.steps), ...Object.keys(rb.steps)])) {
      const va = pick(ra.steps[step]);
      const vb = pick(rb.steps[step]);
      diff[step] = {};
      for (const key of ["p50", "p95", "p99", "errorRate", "count"] as const) {
        const x = va?.[key] ?? null;
        const y = vb?.[key] ?? null;
        diff[step][key] = { a: x, b: y, change: x !== null && y !== null && x !== 0 ? (y - x) / x : null };
      }
    }
    return c.json({ a: ra, b: rb, diff });
  });

  app.get("/runs/:id", requireRole("viewer"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    return c.json(await reportData(id, projectOf(c)));
  });

  app.get("/runs/:id/series", requireRole("viewer"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const q = parseOr400(SeriesSchema, c.req.query(), "query");
    await findRun(id, projectOf(c));
    // Arrival figures live on the journey window; request figures on every other step.
    const arrival = q.stat === "target" || q.stat === "achieved" || q.stat === "dropped";
    const step = q.step ?? (arrival ? JOURNEY_STEP : { except: JOURNEY_STEP });
    const filter = { step, from: q.from, to: q.to };
    // A long run is read per minute, and its buckets are whole minutes.
    const perMinute =
      options.rollups !== undefined && (await options.rollups.exceeds(id, filter, RAW_SLICE_LIMIT));
    const slices = perMinute
      ? await loadSlicesPerMinute(db, options.rollups!, id, filter)
      : await loadSlices(db, id, filter);
    if (slices.length === 0) return c.json({ points: [], resolution: q.resolution ?? 1 });
    // A loop, not Math.min(...seconds): spreading 130k arguments overflows the stack (finding 5).
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const s of slices) {
      if (s.second < first) first = s.second;
      if (s.second > last) last = s.second;
    }
    const from = q.from ?? first;
    const to = q.to ?? last;
    const wanted = q.resolution ?? autoResolution(from, to);
    const resolution = perMinute ? Math.max(60, Math.ceil(wanted / 60) * 60) : wanted;
    return c.json({ points: await series(slices, q.stat, resolution), resolution });
  });

  app.get("/runs/:id/report.json", requireRole("viewer"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    return c.json(await reportData(id, projectOf(c)));
  });
  app.get("/runs/:id/report.xml", requireRole("viewer"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    return c.body(junitReport(await reportData(id, projectOf(c))), 200, {
      "content-type": "application/xml; charset=utf-8",
    });
  });
  app.get("/runs/:id/report.html", requireRole("viewer"), async (c) => {
    const { id } = parseOr400(IdSchema, c.req.param(), "params");
    const run = await findRun(id, projectOf(c));
    // Charts per minute of a long run; its tables from hour merges (the same exact totals).
    const { slices, totals } = await loadReportSlices(db, id, {}, options.rollups);
    // The verdict names the switches on at the start (faultsAtStart), as the generator's does.
    const verdict = await storedRunVerdict(db, id, Date.now(), projectOf(c).id);
    return c.html(await htmlReport(run, slices, verdict, totals, verdict.faultsAtStart ?? []));
  });

  return app;
}

/** Runs still marked in progress (for /metrics). */
export async function activeRunIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ runId: runs.runId })
    .from(runs)
    .where(inArray(runs.status, ["starting", "running"]));
  return rows.map((r) => r.runId);
}
