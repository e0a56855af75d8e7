import type { RunOutcome } from "../runner.ts";
import type { WindowSink } from "../window-aggregator.ts";
import { COORDINATED_ENV, type CoordinatorMessage, type WorkerMessage } from "./messages.ts";

/** A local worker's side of the IPC channel to its coordinator. */
export interface CoordinatedWorker {
  /** Tells the coordinator this worker is warm and resolves with the common start instant. */
  startAt(): Promise<number>;
  onStart(startMs: number, wokeMs: number): void;
  /** Forwards closed windows to the coordinator (never blocks: the channel queues). */
  sink: WindowSink;
  done(outcome: RunOutcome): Promise<void>;
}

/**
 * The channel when this process was started by a coordinator (`peakwatch run --workers N`),
 * else undefined. `stop` is called when the coordinator goes away, so an orphan never runs on.
 */
export function coordinatedWorker(stop: () => void): CoordinatedWorker | undefined {
  const send = process.send?.bind(process);
  if (!send || process.env[COORDINATED_ENV] !== "1") return undefined;
  const post = (m: WorkerMessage) => {
    if (process.connected) send(m);
  };
  process.once("disconnect", stop);
  return {
    startAt: () =>
      new Promise<number>((resolve) => {
        const onMessage = (m: CoordinatorMessage) => {
          if (m?.type !== "start") return;
          process.off("message", onMessage);
          resolve(m.at);
        };
        process.on("message", onMessage);
        post({ type: "ready" });
      }),
    onStart: (startMs, wokeMs) => post({ type: "started", startMs, wokeMs }),
    sink: { accept: (windows) => post({ type: "windows", windows: [...windows] }) },
    done: async (outcome) => {
      const s = outcome.summary;
      const done: WorkerMessage = {
        type: "done",
        status: s.status,
        requests: outcome.requests,
        faults: s.faults,
        hub: s.hub,
      };
      // Once the channel has taken it, let go of the channel so the process can exit.
      if (process.connected) await new Promise<void>((resolve) => send(done, () => resolve()));
      process.off("disconnect", stop);
      if (process.connected) process.disconnect();
    },
  };
}
