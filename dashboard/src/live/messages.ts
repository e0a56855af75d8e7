import type { AlertEvent } from "../../../core/alert.ts";
import type { ProbeResult } from "../../../core/probe-result.ts";
import type { Run } from "../api/types.ts";

/**
 * What /api/v1/live sends, as the dashboard reads it (contract in common.md). The figures in a
 * window message's steps are read leniently by `readStepFigures`, so a renamed field shows as a
 * gap instead of breaking the view.
 */
export type LiveMessage =
  | { type: "window"; runId: string; second: number; steps: Record<string, unknown> }
  | { type: "run"; run: Run }
  | { type: "probe"; result: ProbeResult }
  | { type: "alert"; event: AlertEvent }
  | { type: "ping" | "pong" | "subscribed" | "error"; [key: string]: unknown };

export type LiveTopic = "runs" | "probes" | "alerts" | `run:${string}`;

/** Parses one socket frame; anything that is not an object with a string `type` is dropped. */
export function parseLiveMessage(data: unknown): LiveMessage | undefined {
  if (typeof data !== "string") return undefined;
  try {
    const value = JSON.parse(data) as unknown;
    if (value && typeof value === "object" && typeof (value as { type?: unknown }).type === "string") {
      return value as LiveMessage;
    }
  } catch {
    // not JSON: ignore the frame
  }
  return undefined;
}
