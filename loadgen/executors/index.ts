import type { ExecutionSegment } from "../../core/execution-segment.ts";
import type { Profile } from "../../core/profile.ts";
import { closedModel } from "./closed-model.ts";
import type { Executor, ExecutorFactory } from "./executor.ts";
import { openModel } from "./open-model.ts";

/** Executors by stage kind: `rate` stages run open-model, `connections` stages closed-model. */
export const executors: Record<"rate" | "connections", ExecutorFactory> = {
  rate: openModel,
  connections: closedModel,
};

export function executorFor(profile: Profile, startMs: number, segment?: ExecutionSegment): Executor {
  const kind = profile.stages[0]?.rate !== undefined ? "rate" : "connections";
  return executors[kind](profile, startMs, segment);
}
