import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { describeZodError } from "../../core/http/validate.ts";
import { type Window, WindowSchema } from "../../core/window.ts";
import { fastWindow } from "../../core/window-fast.ts";
import { SLICE_MS, yieldToLoop } from "../event-loop.ts";

/** The envelope only: each window is checked on its own, a slice at a time. */
const Envelope = z.object({ windows: z.array(z.unknown()).min(1).max(5000) });

export interface WindowBatchLimits {
  /** Epoch milliseconds now (injected so tests and replicas agree on "now"). */
  now: () => number;
  /** Windows older than raw retention would be rolled up at once; older still, never read. */
  rawRetentionSeconds: number;
  /** How far ahead of the hub's clock a generator's clock may run. */
  maxSkewSeconds: number;
  /** Longest stretch of synchronous validation before yielding to the event loop. */
  sliceMs?: number;
}

/**
 * Validates a window batch (already parsed JSON) without holding the event loop for more than
 * `sliceMs` at a time: each window's histograms are checked structurally (bounded work per byte
 * received), and `second` must lie within [now − raw retention, now + skew]. Throws AppError 400
 * naming `body.windows[i].field` at the first bad window; returns the windows otherwise.
 */
export async function validateWindowBatch(data: unknown, limits: WindowBatchLimits): Promise<Window[]> {
  const envelope = Envelope.safeParse(data);
  if (!envelope.success) throw new AppError("bad_request", describeZodError(envelope.error, "body"));
  const nowSecond = Math.floor(limits.now() / 1000);
  const oldest = nowSecond - limits.rawRetentionSeconds;
  const newest = nowSecond + limits.maxSkewSeconds;
  const sliceMs = limits.sliceMs ?? SLICE_MS;
  const out: Window[] = [];
  let sliceStart = performance.now();
  for (const [i, item] of envelope.data.windows.entries()) {
    if (performance.now() - sliceStart > sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    // The hand-written check takes what is valid; anything else goes through the schema for its 400.
    let window = fastWindow(item);
    if (!window) {
      const parsed = WindowSchema.safeParse(item);
      if (!parsed.success)
        throw new AppError("bad_request", describeZodError(parsed.error, `body.windows[${i}]`));
      window = parsed.data;
    }
    const { second } = window;
    if (second < oldest || second > newest) {
      throw new AppError(
        "bad_request",
        `body.windows[${i}].second: ${second} is outside [${oldest}, ${newest}] (Unix seconds: no older than raw retention, ${limits.rawRetentionSeconds} s, nor more than ${limits.maxSkewSeconds} s ahead of the hub's clock)`,
      );
    }
    out.push(window);
  }
  return out;
}
