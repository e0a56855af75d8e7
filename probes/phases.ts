import type { Phases } from "../core/probe-result.ts";

/** The phases of a check in the order they happen. */
export const phaseOrder = ["dns", "connect", "tls", "firstByte", "transfer"] as const;
export type PhaseName = (typeof phaseOrder)[number];

/** Monotonic timestamps (ms) at the end of each phase that has ended; `start` is when the check began. */
export type PhaseMarks = { start: number } & Partial<Record<PhaseName, number>>;

/**
 * Turns phase-end marks into durations. Each phase runs from the previous mark to its own, so
 * the phases add up to the total exactly. A phase that never happened (no DNS lookup for an IP
 * literal, no TLS for plain http) lasts zero; when the check stopped at `end` before a phase
 * ended, that phase is `failedIn` and takes the time until `end`. Pure.
 */
export function phasesFrom(
  marks: PhaseMarks,
  end: number,
): { phases: Phases; failedIn: PhaseName | undefined } {
  const phases: Phases = { dns: 0, connect: 0, tls: 0, firstByte: 0, transfer: 0, total: 0 };
  let previous = marks.start;
  let failedIn: PhaseName | undefined;
  const lastIndex = phaseOrder.findLastIndex((name) => marks[name] !== undefined);
  phaseOrder.forEach((name, index) => {
    if (failedIn) return;
    const mark = marks[name];
    if (mark !== undefined) {
      phases[name] = Math.max(0, mark - previous);
      previous = Math.max(previous, mark);
    } else if (index > lastIndex) {
      failedIn = name;
      phases[name] = Math.max(0, end - previous);
      previous = Math.max(previous, end);
    }
  });
  phases.total = Math.max(0, previous - marks.start);
  return { phases, failedIn };
}

const phaseWords: Record<PhaseName, string> = {
  dns: "resolving the host",
  connect: "connecting",
  tls: "in the TLS handshake",
  firstByte: "waiting for the first byte",
  transfer: "reading the body",
};

/** "waiting for the first byte", for messages such as "timed out after 2000 ms waiting for the first byte". */
export function describePhase(phase: PhaseName): string {
  return phaseWords[phase];
}
