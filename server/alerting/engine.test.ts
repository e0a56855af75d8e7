import { describe, expect, it } from "vitest";
import type { AlertEventKind } from "../../core/alert.ts";
import { type Rule, RuleSpecSchema } from "../../core/rule.ts";
import type { AlertStore } from "./alert-store.ts";
import { AlertEngine } from "./engine.ts";
import type { TrackedAlert } from "./evaluate.ts";

const rule: Rule = {
  ...RuleSpecSchema.parse({
    kind: "threshold",
    name: "Lag",
    query: { source: "metrics", series: "lag", stat: "last", windowSeconds: 10 },
    comparator: ">",
    threshold: 1,
  }),
  id: "r1",
  builtin: false,
  createdAt: 0,
  updatedAt: 0,
};

/** An engine over in-memory fakes with an injected clock and a settable gauge. */
function engine(options: { leader?: () => boolean; stored?: TrackedAlert[] } = {}) {
  let now = 100_000;
  let value = 0;
  let rules = [rule];
  const events: AlertEventKind[] = [];
  const saved = new Map<string, TrackedAlert>((options.stored ?? []).map((a) => [a.fingerprint, a]));
  const store = {
    load: async () => [...saved.values()],
    save: async (changed: TrackedAlert[], removed: string[]) => {
      for (const a of changed) saved.set(a.fingerprint, a);
      for (const fp of removed) saved.delete(fp);
    },
    append: async () => {},
  } as unknown as AlertStore;
  const e = new AlertEngine({
    store,
    data: {
      load: async () => ({
        windows: [],
        probes: [],
        metrics: [{ series: "lag", labels: {}, at: now, value }],
      }),
    },
    now: () => now,
    loadRules: async () => rules,
    loadSilences: async () => [],
    inhibitRules: () => [],
    publish: async (kind) => void events.push(kind),
    notify: () => {},
    isLeader: options.leader ? async () => options.leader!() : undefined,
  });
  return {
    e,
    events,
    saved,
    set: (v: number) => {
      value = v;
    },
    tick: async (ms = 1000) => {
      now += ms;
      await e.evaluateNow();
      await e.flushed();
    },
    setRules: (r: Rule[]) => {
      rules = r;
      e.invalidateRules();
    },
  };
}

describe("AlertEngine", () => {
  it("evaluates, publishes transitions in order and persists the state", async () => {
    const t = engine();
    await t.e.init();
    t.set(5);
    await t.tick();
    t.set(0);
    await t.tick();
    expect(t.events).toEqual(["firing", "resolved"]);
    expect([...t.saved.values()].map((a) => a.state)).toEqual(["resolved"]);
  });

  it("resolves the firing alerts of a rule that was deleted", async () => {
    const t = engine();
    await t.e.init();
    t.set(5);
    await t.tick();
    t.setRules([]);
    await t.tick();
    expect(t.events).toEqual(["firing", "resolved"]);
  });

  it("acknowledging keeps the alert and records who; a resolved alert cannot be acknowledged", async () => {
    const t = engine();
    await t.e.init();
    t.set(5);
    await t.tick();
    const [alert] = t.e.list();
    expect(t.e.acknowledge(alert!.fingerprint, "eng@x")).toMatchObject({
      state: "firing",
      acknowledgedBy: "eng@x",
    });
    await t.tick();
    expect(t.e.list()[0]!.acknowledgedBy).toBe("eng@x");
    t.set(0);
    await t.tick();
    expect(() => t.e.acknowledge(alert!.fingerprint, "eng@x")).toThrowError(/already resolved/);
  });

  it("only the leader evaluates; a new leader carries on from the persisted state", async () => {
    let leader = false;
    const t = engine({ leader: () => leader });
    await t.e.init();
    t.set(5);
    await t.tick();
    expect(t.events).toEqual([]);
    leader = true;
    await t.tick();
    expect(t.events).toEqual(["firing"]);
  });
});
