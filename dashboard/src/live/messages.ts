import type { ServerMessage, Topic, LiveWindowMessage as WindowMessage } from "../../../core/live.ts";

/** What /api/v1/live sends (core/live.ts); imported as types only, to keep zod out of the bundle. */
export type LiveMessage = ServerMessage;
export type LiveTopic = Topic;
export type LiveWindowMessage = WindowMessage;

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
