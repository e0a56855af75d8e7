import { z } from "zod";
import { AlertEventSchema } from "./alert.ts";
import { CauseCountsSchema, RunViewSchema } from "./api/runs.ts";
import { FaultChangeSchema } from "./faults.ts";
import { ProbeResultSchema } from "./probe-result.ts";

/**
 * Messages of the hub's live WebSocket (GET /api/v1/live). Every message is one JSON object
 * with a `type`. The server also sends WebSocket pings; browsers answer them on their own.
 */

/** `run:<id>` (that run's windows each second), `runs` (run state changes), `probes`, `alerts`. */
export const TopicSchema = z.union([
  z.enum(["runs", "probes", "alerts"]),
  z.string().regex(/^run:[A-Za-z0-9_.:-]{1,100}$/, "a topic is runs, probes, alerts or run:<id>"),
]);
export type Topic = z.infer<typeof TopicSchema>;

export const runTopic = (runId: string): Topic => `run:${runId}`;

export const SubscribeSchema = z.object({
  type: z.literal("subscribe"),
  topics: z.array(TopicSchema).min(1).max(100),
  /** The last alert seq this client saw: every event after it is replayed exactly once. */
  lastAlertSeq: z.number().int().nonnegative().optional(),
});

export const UnsubscribeSchema = z.object({
  type: z.literal("unsubscribe"),
  topics: z.array(TopicSchema).max(100),
});

/** Application-level ping for clients that cannot see WebSocket pings; answered with `pong`. */
export const ClientPingSchema = z.object({ type: z.literal("ping") });

export const ClientMessageSchema = z.discriminatedUnion("type", [
  SubscribeSchema,
  UnsubscribeSchema,
  ClientPingSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/**
 * One step of one second, merged across workers (percentiles from merged histograms, ms, of
 * successful requests; `errors` counts the failed ones).
 */
export const LiveStepSchema = z.object({
  count: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
  targetRate: z.number(),
  achievedRate: z.number(),
  dropped: z.number(),
  workers: z.number().int(),
  /** Failed requests of this second by cause, with the last message (dropped arrivals on the journey step). */
  causes: CauseCountsSchema,
});
export type LiveStep = z.infer<typeof LiveStepSchema>;

export const LiveWindowMessageSchema = z.object({
  type: z.literal("window"),
  runId: z.string(),
  /** Unix epoch seconds. */
  second: z.number().int(),
  steps: z.record(z.string(), LiveStepSchema),
  /** Every step but the journey merged (histograms merged, not percentiles averaged): "all requests". */
  requests: LiveStepSchema.optional(),
});

export const ServerMessageSchema = z.discriminatedUnion("type", [
  LiveWindowMessageSchema,
  z.object({ type: z.literal("run"), run: RunViewSchema }),
  z.object({ type: z.literal("probe"), result: ProbeResultSchema }),
  z.object({ type: z.literal("alert"), event: AlertEventSchema }),
  /** A fault switch flipped by hand, on the `runs` topic: charts mark it. */
  z.object({ type: z.literal("fault"), change: FaultChangeSchema }),
  z.object({ type: z.literal("subscribed"), topics: z.array(TopicSchema) }),
  z.object({ type: z.literal("pong") }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type LiveWindowMessage = z.infer<typeof LiveWindowMessageSchema>;

/** Close codes the hub uses besides the standard ones. */
export const liveCloseCodes = {
  /** The client read too slowly and its buffer passed the cap: reconnect and resume. */
  tooSlow: 4008,
  /** The client sent something that is not a valid message. */
  badMessage: 4000,
  /** The session ended or the user expired. */
  unauthorized: 4001,
} as const;
