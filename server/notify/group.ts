import type { Labels } from "../../core/fingerprint.ts";
import type { ResolvedRoute } from "./routing.ts";

/** An alert as the dispatcher sees it. */
export interface GroupedAlert {
  fingerprint: string;
  state: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  acknowledgedBy: string | null;
  /** Silenced or inhibited: left out of notifications, still tracked. */
  muted: boolean;
  /** Firing only because keep_firing_for holds it open (its condition has cleared). */
  recovering: boolean;
}

/** One notification group's memory of what its channel was last told (Alertmanager's nflog). */
export interface GroupState {
  key: string;
  /** The project of the group's channel (and so of its alerts). */
  projectId: string;
  route: ResolvedRoute;
  labels: Labels;
  /** When the group first had something to say (group_wait counts from here); null: nothing yet. */
  startedAt: number | null;
  lastFlushAt: number | null;
  /** Fingerprints notified as firing in the last flush. */
  sentFiring: ReadonlySet<string>;
}

export interface FlushPlan {
  kind: "firing" | "resolved" | "reminder";
  firing: GroupedAlert[];
  resolved: GroupedAlert[];
}

export function newGroup(key: string, route: ResolvedRoute, labels: Labels, projectId: string): GroupState {
  return { key, projectId, route, labels, startedAt: null, lastFlushAt: null, sentFiring: new Set() };
}

/**
 * Decides whether a group notifies now and what, given its current alerts. Pure.
 * - first notice after group_wait; new firing alerts after group_interval;
 * - resolved notices at once (no waiting for the next interval);
 * - a reminder after repeat_interval of no change, naming only unacknowledged alerts;
 * - muted alerts are never notified, and their resolution is not announced.
 * Returns the next state and the flush, or null when nothing is due.
 */
export function planGroup(
  state: GroupState,
  alerts: ReadonlyArray<GroupedAlert>,
  now: number,
): { next: GroupState; flush: FlushPlan | null; done: boolean } {
  const firing = alerts.filter((a) => a.state === "firing" && !a.muted);
  const byFp = new Map(alerts.map((a) => [a.fingerprint, a]));
  const resolved: GroupedAlert[] = [];
  const forgotten = new Set<string>();
  for (const fp of state.sentFiring) {
    const alert = byFp.get(fp);
    if (alert?.state === "firing") continue;
    if (alert && !alert.muted) resolved.push(alert);
    else forgotten.add(fp);
  }
  const sentFiring = new Set([...state.sentFiring].filter((fp) => !forgotten.has(fp)));
  const startedAt = state.startedAt ?? (firing.length > 0 ? now : null);
  let next: GroupState = { ...state, startedAt, sentFiring };
  const flushed = (kind: FlushPlan["kind"], plan: Omit<FlushPlan, "kind">) => {
    next = { ...next, lastFlushAt: now, sentFiring: new Set(firing.map((a) => a.fingerprint)) };
    return { next, flush: { kind, ...plan }, done: firing.length === 0 };
  };

  if (state.lastFlushAt === null) {
    if (firing.length > 0 && now - startedAt! >= state.route.groupWaitMs)
      return flushed("firing", { firing, resolved });
    // Everything cleared before the first notice: nothing to say, ever.
    return { next, flush: null, done: firing.length === 0 && startedAt !== null };
  }
  if (resolved.length > 0) return flushed(firing.length > 0 ? "firing" : "resolved", { firing, resolved });
  const added = firing.some((a) => !sentFiring.has(a.fingerprint));
  if (added && now - state.lastFlushAt >= state.route.groupIntervalMs)
    return flushed("firing", { firing, resolved });
  const unacknowledged = firing.filter((a) => a.acknowledgedBy === null);
  if (!added && unacknowledged.length > 0 && now - state.lastFlushAt >= state.route.repeatIntervalMs) {
    return flushed("reminder", { firing: unacknowledged, resolved: [] });
  }
  return { next, flush: null, done: firing.length === 0 && sentFiring.size === 0 };
}
