/**
 * Requests → visitor sessions: the same client (address + user agent) with no pause longer than
 * the idle gap. Pure; the input must be in time order (sortRequests does that for merged logs).
 */
import type { LogRequest } from "./access-log.ts";
import type { PlanStep, RouteMap } from "./routes.ts";

/** One visitor session, reduced to its journey steps. */
export interface Session {
  /** Epoch ms of its first request. */
  start: number;
  /** Mapped steps in order, with their epoch ms times. */
  steps: { step: PlanStep; time: number }[];
  authenticated: boolean;
}

/** What sessionising saw besides the sessions. */
export interface SessionTally {
  requests: number;
  ignored: number;
  /** Requests on no known route, by redacted shape (`GET /reset-password/:x`). */
  unknown: Map<string, number>;
  /** Sessions with no mapped step at all (bots, scanners): not part of the profile. */
  withoutSteps: number;
}

/** Default idle gap: the 30 minutes web analytics tools use. */
export const DEFAULT_IDLE_GAP_MS = 30 * 60 * 1000;

interface Open extends Session {
  last: number;
}

/**
 * Groups time-ordered requests into sessions. Calls `emit` with each finished session that has
 * at least one mapped step, in the order sessions end; memory is one entry per open client.
 */
export class Sessioniser {
  readonly tally: SessionTally = { requests: 0, ignored: 0, unknown: new Map(), withoutSteps: 0 };
  private readonly open = new Map<string, Open>();
  private lastSweep = 0;

  constructor(
    private readonly routes: RouteMap,
    private readonly emit: (session: Session) => void,
    private readonly idleGapMs = DEFAULT_IDLE_GAP_MS,
  ) {}

  add(r: LogRequest): void {
    this.tally.requests++;
    const match = this.routes.match(r.method, r.path);
    if (match.kind === "ignored") {
      this.tally.ignored++;
      return;
    }
    if (match.kind === "unknown")
      this.tally.unknown.set(match.shape, (this.tally.unknown.get(match.shape) ?? 0) + 1);
    let s = this.open.get(r.client);
    if (s && r.time - s.last > this.idleGapMs) {
      this.close(s);
      s = undefined;
    }
    if (!s) {
      s = { start: r.time, last: r.time, steps: [], authenticated: false };
      this.open.set(r.client, s);
    }
    s.last = r.time;
    s.authenticated ||= r.authenticated;
    if (match.kind === "step") s.steps.push({ step: match.step, time: r.time });
    // Sweeping idle clients now and then keeps memory at the clients of the last idle gap.
    if (r.time - this.lastSweep > this.idleGapMs) {
      this.lastSweep = r.time;
      for (const [client, o] of this.open) if (r.time - o.last > this.idleGapMs) this.finish(client, o);
    }
  }

  /** Ends every open session (end of input). */
  end(): void {
    for (const [client, o] of this.open) this.finish(client, o);
  }

  private close(s: Open): void {
    if (s.steps.length === 0) this.tally.withoutSteps++;
    else this.emit({ start: s.start, steps: s.steps, authenticated: s.authenticated });
  }

  private finish(client: string, s: Open): void {
    this.open.delete(client);
    this.close(s);
  }
}

/** Merges requests of several logs into time order (stable for equal times). */
export function sortRequests(requests: LogRequest[]): LogRequest[] {
  return requests.sort((a, b) => a.time - b.time);
}
