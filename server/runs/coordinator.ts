import { and, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { StoppedBy, ThresholdResult } from "../../core/run.ts";
import {
  addWindow,
  judgeThresholds,
  type StepTotals,
  stoppedEarlyText,
  verdictFigures,
} from "../../core/threshold.ts";
import { describeWorkerLoss, type WorkerLoss, workerLoss } from "../../core/worker-loss.ts";
import type { Db } from "../../db/open.ts";
import { type RunRow, type RunWorkerRow, runs } from "../../db/schema/hub.ts";
import type { AgentTokens } from "../auth/agent-tokens.ts";
import { yieldToLoop } from "../event-loop.ts";
import type { StopMode } from "./launcher.ts";
import { allEnded, coordinatedOutcome, type RunEnding } from "./run-outcome.ts";
import { runPlan } from "./run-plan.ts";
import type { RunWorkers } from "./run-workers.ts";
import { type Slice, sliceAsWindow } from "./slices.ts";
import { loadSummarySlices } from "./slices-query.ts";
import type { MinuteRollups } from "./slices-rollup.ts";

export interface RunCoordinatorOptions {
  db: Db;
  agents: AgentTokens;
  workers: RunWorkers;
  /** Tells live clients (on every replica) that a run changed. */
  changed: (runId: string) => void;
  now?: () => number;
  /** The per-minute roll-ups a long run's totals are read from (raw windows without them). */
  rollups?: MinuteRollups;
  log?: (line: string) => void;
}

const active = ["starting", "running"];

/**
 * What any replica may do to a hub-coordinated run through the database: ask it to stop, lose
 * a worker, close it. Every write is conditional on the run still being open, so two replicas
 * (the one whose process exited, the leader that saw a worker go silent) never close it twice.
 */
export class RunCoordinator {
  constructor(private readonly options: RunCoordinatorOptions) {}

  /** Stores a stop request; false when the run is not open. An abort overrides a stop, not the reverse. */
  async requestStop(runId: string, mode: StopMode): Promise<boolean> {
    const open = and(eq(runs.runId, runId), inArray(runs.status, active));
    const updated = await this.options.db
      .update(runs)
      .set({ stopRequest: mode })
      .where(mode === "abort" ? open : and(open, or(isNull(runs.stopRequest), eq(runs.stopRequest, "stop"))))
      .returning({ runId: runs.runId });
    return updated.length > 0;
  }

  /**
   * Stops a run the hub split over workers because an abort threshold stopped one of them: the
   * others stop as on a user's stop (flush, report), and the run is judged failed at its end.
   * True when this call asked (the first worker's stop wins); false when the run is not open, not
   * supervised by a hub, or already asked to stop.
   */
  async stopOnThreshold(runId: string, stoppedBy: StoppedBy): Promise<boolean> {
    const updated = await this.options.db
      .update(runs)
      .set({ stopRequest: "stop", stoppedBy })
      .where(
        and(
          eq(runs.runId, runId),
          inArray(runs.status, active),
          isNotNull(runs.supervisorKey),
          isNull(runs.stopRequest),
        ),
      )
      .returning({ runId: runs.runId });
    if (updated.length === 0) return false;
    (this.options.log ?? console.log)(
      `run ${runId}: ${stoppedEarlyText(stoppedBy)}; stopping its other workers`,
    );
    return true;
  }

  /**
   * Marks a worker lost (died, or silent before its end); once all have ended the run ends
   * degraded, or error when every worker was lost.
   */
  async lose(runId: string, worker: string, reason: string, exitCode: number | null = null): Promise<void> {
    const lost = await this.options.workers.ended(runId, worker, { state: "lost", exitCode, reason });
    if (!lost) return;
    const [run] = await this.options.db.select().from(runs).where(eq(runs.runId, runId));
    const row = (await this.options.workers.list(runId)).find((w) => w.worker === worker);
    if (run && row) {
      const loss = lossOf(run, row, reason);
      // Appended in one statement, so two replicas losing two workers at once keep both.
      await this.options.db
        .update(runs)
        .set({ workerLosses: sql`${runs.workerLosses} || ${JSON.stringify([loss])}::jsonb` })
        .where(eq(runs.runId, runId));
      (this.options.log ?? console.log)(`run ${runId}: ${describeWorkerLoss(loss)}`);
    }
    this.options.changed(runId);
    await this.finishIfEnded(runId);
  }

  /** Closes a coordinated run once every worker has ended, with the status their endings give. */
  async finishIfEnded(runId: string): Promise<void> {
    const workers = await this.options.workers.list(runId);
    if (!allEnded(workers)) return;
    const [run] = await this.options.db
      .select({
        stopRequest: runs.stopRequest,
        stoppedBy: runs.stoppedBy,
        workerLosses: runs.workerLosses,
        thresholds: runs.thresholds,
      })
      .from(runs)
      .where(eq(runs.runId, runId));
    const stoppedBy = (run?.stoppedBy ?? null) as StoppedBy | null;
    // An abort that someone asked for after the threshold's stop still makes the run aborted.
    const stop =
      stoppedBy && run?.stopRequest !== "abort" ? "threshold" : run?.stopRequest ? "requested" : undefined;
    let outcome = coordinatedOutcome(workers, stop);
    const losses = (run?.workerLosses ?? []) as WorkerLoss[];
    // Each worker judged its own share; the run is judged once, over every worker's windows.
    const totals = await totalsOf(await loadSummarySlices(this.options.db, runId, {}, this.options.rollups));
    const thresholds = judgeThresholds((run?.thresholds ?? []) as ThresholdResult[], totals);
    // A run an abort threshold stopped failed, however its whole-run figures read.
    if ((outcome === "passed" || outcome === "failed") && stop !== "threshold")
      outcome = thresholds.every((t) => t.ok) ? "passed" : "failed";
    const figures = verdictFigures(totals, thresholds);
    // The losses are the cause: of a degraded run, and of one that errored because all were lost.
    const cause = losses.length > 0 && (outcome === "degraded" || outcome === "error");
    const verdict = `${outcome}: ${[
      ...(cause ? [losses.map(describeWorkerLoss).join("; ")] : []),
      ...figures,
      // As a single generator words it, with the worker that stopped first.
      ...(stop === "threshold" && stoppedBy ? [stoppedEarlyText(stoppedBy)] : []),
    ].join(", ")}`;
    await this.close(runId, outcome, verdict, thresholds);
  }

  /**
   * Ends a run that is still open with `status` (and `verdict` and `thresholds` when given), revokes its agent
   * token, and tells live clients. Idempotent: a closed run is left as it is.
   */
  async close(
    runId: string,
    status: RunEnding,
    verdict?: string,
    thresholds?: ThresholdResult[],
  ): Promise<void> {
    const now = this.options.now ?? Date.now;
    const closed = await this.options.db
      .update(runs)
      .set({
        status,
        endedAt: now(),
        ...(verdict !== undefined ? { verdict } : {}),
        ...(thresholds !== undefined ? { thresholds } : {}),
      })
      .where(and(eq(runs.runId, runId), inArray(runs.status, active)))
      .returning({ runId: runs.runId });
    await this.revokeToken(runId);
    if (closed.length > 0) this.options.changed(runId);
  }

  /** Revokes the run's agent token, whichever replica created it. */
  async revokeToken(runId: string): Promise<void> {
    await this.options.agents.revokeNamed(`run:${runId}`);
  }
}

/** Slices whose histograms are decoded between two turns of the event loop. */
const SLICES_PER_TURN = 500;

/** Per-step totals of a run's slices, yielding between chunks: a long run never holds the hub. */
async function totalsOf(slices: ReadonlyArray<Slice>): Promise<Map<string, StepTotals>> {
  const totals = new Map<string, StepTotals>();
  for (let i = 0; i < slices.length; i += SLICES_PER_TURN) {
    if (i > 0) await yieldToLoop();
    for (const s of slices.slice(i, i + SLICES_PER_TURN)) addWindow(totals, sliceAsWindow(s));
  }
  return totals;
}

/**
 * What a lost worker left undone: its segment's arrivals from the end of the last second it
 * reported (or from the run's start when it never reported) to the end of the plan.
 */
export function lossOf(run: RunRow, worker: RunWorkerRow, reason: string): WorkerLoss {
  const startAt = run.startAt ?? run.startedAt;
  const stoppedAt = worker.lastSecond !== null ? (worker.lastSecond + 1) * 1000 : startAt;
  const planned = run.plannedSeconds ?? 0;
  return workerLoss(
    {
      worker: worker.worker,
      segment: { index: worker.index, count: run.workers },
      reason,
      stoppedAfterSeconds: Math.min(planned, Math.max(0, (stoppedAt - startAt) / 1000)),
    },
    runPlan(run.profile, planned, run.rateScale ?? 1),
  );
}
