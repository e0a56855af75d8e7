import { describe, expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { type GroupedAlert, type GroupState, newGroup, planGroup } from "./group.ts";

const route = {
  path: "0",
  channel: "hook",
  groupBy: ["alertname"],
  groupWaitMs: 2000,
  groupIntervalMs: 5000,
  repeatIntervalMs: 20_000,
};

function alert(fp: string, state: "firing" | "resolved", extra: Partial<GroupedAlert> = {}): GroupedAlert {
  return {
    fingerprint: fp,
    state,
    labels: { alertname: "X", fp },
    annotations: {},
    startsAt: 0,
    endsAt: null,
    acknowledgedBy: null,
    muted: false,
    recovering: false,
    ...extra,
  };
}

/** Runs the planner once per second over a scripted sequence of alert sets; returns the flushes. */
function run(script: (second: number) => GroupedAlert[], seconds: number) {
  let state: GroupState = newGroup("k", route, { alertname: "X" }, DEFAULT_PROJECT_ID);
  const flushes: Array<[number, string, string[]]> = [];
  for (let s = 0; s < seconds; s++) {
    const { next, flush } = planGroup(state, script(s), s * 1000);
    state = next;
    if (flush)
      flushes.push([
        s,
        flush.kind,
        [...flush.firing, ...flush.resolved].map((a) => `${a.fingerprint}:${a.state}`),
      ]);
  }
  return flushes;
}

describe("planGroup", () => {
  it("waits group_wait, then sends the resolved notice at once", () => {
    const flushes = run((s) => (s < 6 ? [alert("a", "firing")] : [alert("a", "resolved")]), 10);
    expect(flushes).toEqual([
      [2, "firing", ["a:firing"]],
      [6, "resolved", ["a:resolved"]],
    ]);
  });

  it("batches a later alert into the next group_interval, not sooner", () => {
    const flushes = run(
      (s) => (s < 3 ? [alert("a", "firing")] : [alert("a", "firing"), alert("b", "firing")]),
      9,
    );
    expect(flushes).toEqual([
      [2, "firing", ["a:firing"]],
      [7, "firing", ["a:firing", "b:firing"]],
    ]);
  });

  it("reminds after repeat_interval, but not about an acknowledged alert", () => {
    expect(run(() => [alert("a", "firing")], 45).map((f) => f[0])).toEqual([2, 22, 42]);
    const acked = (s: number) => [alert("a", "firing", { acknowledgedBy: s >= 10 ? "eng@x" : null })];
    expect(run(acked, 45).map((f) => f[0])).toEqual([2]);
  });

  it("a silenced alert is not notified while muted and is notified once the silence ends", () => {
    const flushes = run((s) => [alert("a", "firing", { muted: s < 10 })], 16);
    expect(flushes).toEqual([[12, "firing", ["a:firing"]]]);
  });

  it("a silence during firing suppresses reminders and the resolved notice", () => {
    const flushes = run((s) => {
      if (s < 5) return [alert("a", "firing")];
      if (s < 30) return [alert("a", "firing", { muted: true })];
      return [alert("a", "resolved", { muted: true })];
    }, 35);
    expect(flushes).toEqual([[2, "firing", ["a:firing"]]]);
  });

  it("an alert that clears before group_wait is never announced", () => {
    expect(run((s) => (s < 1 ? [alert("a", "firing")] : [alert("a", "resolved")]), 6)).toEqual([]);
  });
});
