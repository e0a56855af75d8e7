import type { AlertEventKind, AlertState } from "../../core/alert.ts";

/** The lifecycle part of an alert instance, advanced once per evaluation. */
export interface Lifecycle {
  state: AlertState;
  /** When the current activation began (pending or straight to firing). */
  activeAt: number | null;
  firedAt: number | null;
  resolvedAt: number | null;
  /** The last evaluation whose condition held; `keep_firing_for` counts from here. */
  lastBreachAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
}

export interface Timing {
  forSeconds: number;
  keepFiringForSeconds: number;
}

export const inactive: Lifecycle = {
  state: "inactive",
  activeAt: null,
  firedAt: null,
  resolvedAt: null,
  lastBreachAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
};

/**
 * One step of the Prometheus lifecycle: inactive → pending (until `for` has elapsed) → firing →
 * resolved, where a firing alert whose condition clears stays firing for `keep_firing_for` so a
 * flapping signal neither spams nor loses notices. A new activation forgets the old acknowledgement.
 * Returns the next lifecycle and the event it caused, if any. Pure.
 */
export function advance(
  prev: Lifecycle,
  breaching: boolean,
  timing: Timing,
  now: number,
): { next: Lifecycle; event: AlertEventKind | null } {
  const forMs = timing.forSeconds * 1000;
  if (breaching) {
    switch (prev.state) {
      case "inactive":
      case "resolved": {
        const activation = { ...inactive, activeAt: now, lastBreachAt: now };
        if (forMs === 0) return { next: { ...activation, state: "firing", firedAt: now }, event: "firing" };
        return { next: { ...activation, state: "pending" }, event: "pending" };
      }
      case "pending":
        if (now - (prev.activeAt ?? now) >= forMs) {
          return { next: { ...prev, state: "firing", firedAt: now, lastBreachAt: now }, event: "firing" };
        }
        return { next: { ...prev, lastBreachAt: now }, event: null };
      case "firing":
        return { next: { ...prev, lastBreachAt: now }, event: null };
    }
  }
  switch (prev.state) {
    case "pending":
      return { next: { ...inactive }, event: "inactive" };
    case "firing": {
      const since = prev.lastBreachAt ?? prev.firedAt ?? now;
      if (now - since < timing.keepFiringForSeconds * 1000) return { next: prev, event: null };
      return { next: { ...prev, state: "resolved", resolvedAt: now }, event: "resolved" };
    }
    default:
      return { next: prev, event: null };
  }
}
