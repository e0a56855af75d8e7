import type { Alert, AlertEventKind } from "../../core/alert.ts";
import type { InhibitRule } from "../../core/channel.ts";
import { AppError } from "../../core/http/app-error.ts";
import { lookbackSeconds, type Rule } from "../../core/rule.ts";
import { type Silence, silencedBy } from "../../core/silence.ts";
import { loggable } from "../../db/loggable-error.ts";
import type { GroupedAlert } from "../notify/group.ts";
import { type AlertStore, publicAlert } from "./alert-store.ts";
import type { AlertDataSource, DataSpan } from "./data.ts";
import { evaluateRule, type TrackedAlert, type Transition } from "./evaluate.ts";
import { isInhibited } from "./inhibit.ts";
import { advance } from "./lifecycle.ts";
import { projectData } from "./project-data.ts";

export interface EngineDeps {
  store: AlertStore;
  data: AlertDataSource;
  now: () => number;
  /** Enabled and disabled rules; called after `invalidateRules`. */
  loadRules: () => Promise<Rule[]>;
  /** Current silences; called after `invalidateSilences` and every few seconds (they expire by time). */
  loadSilences: () => Promise<Silence[]>;
  inhibitRules: () => ReadonlyArray<InhibitRule>;
  /** Hands a lifecycle event to live push. Must not block; ordering is kept by the engine. */
  publish: (kind: AlertEventKind, alert: Alert, at: number) => Promise<unknown>;
  /** Hands every current alert to the notification pipeline. Must not block. */
  notify: (alerts: ReadonlyArray<GroupedAlert>, now: number) => void;
  /** With several hub replicas only the leader evaluates; absent: always this process. */
  isLeader?: () => Promise<boolean>;
  /** Called when this replica becomes leader (and at start), before it notifies anything. */
  onLeadership?: () => Promise<void>;
  /** Acknowledgements written by any replica; the leader applies them each evaluation. */
  loadAcknowledgements?: () => Promise<Acknowledgement[]>;
  /** Firing, unacknowledged alerts are re-announced over live push this often; 0: never. */
  reminderIntervalMs?: number;
}

/** One acknowledgement of one activation of an alert. */
export interface Acknowledgement {
  fingerprint: string;
  activeAt: number;
  by: string;
  at: number;
}

const windowStatsWithLatency = new Set(["p50", "p95", "p99"]);

/** What data the rules need at `now`. */
export function spanFor(rules: ReadonlyArray<Rule>, now: number): DataSpan & { steps: string[] } {
  const until = Math.floor(now / 1000);
  let windows = 0;
  let latency = 0;
  let probes = 0;
  let metrics = 0;
  const steps = new Set<string>();
  for (const rule of rules) {
    const back = Math.ceil(lookbackSeconds(rule));
    if (rule.kind === "burn_rate") {
      windows = Math.max(windows, back);
      steps.add(rule.step);
    } else if (rule.query.source === "windows") {
      windows = Math.max(windows, back);
      steps.add(rule.query.step);
      if (windowStatsWithLatency.has(rule.query.stat)) latency = Math.max(latency, back);
    } else if (rule.query.source === "probes") probes = Math.max(probes, back);
    else metrics = Math.max(metrics, back);
  }
  return {
    windowsFromSecond: until - windows,
    latencyFromSecond: until - latency,
    untilSecond: until,
    probesFromMs: now - probes * 1000,
    metricsFromMs: now - metrics * 1000,
    steps: [...steps],
  };
}

const SILENCE_REFRESH_MS = 5000;

/**
 * Runs the pure evaluator over fresh data and keeps the alert instances. Evaluations never
 * overlap: a trigger during one schedules exactly one more. Persistence, live push and
 * notification are handed off and never awaited by the evaluation.
 */
export class AlertEngine {
  private readonly alerts = new Map<string, TrackedAlert>();
  private readonly saved = new Map<string, string>();
  private rules: Rule[] | null = null;
  private isLeading = true;
  private silences: { list: Silence[]; at: number } | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private writes: Promise<void> = Promise.resolve();
  private publishing: Promise<unknown> = Promise.resolve();
  /** Wall time of the last evaluation, ms (for the bench and /metrics). */
  lastDurationMs = 0;
  /**
   * Per rule id (names are unique per project only), the values measured by the last evaluation
   * (null: not enough data).
   */
  readonly measured = new Map<string, { at: number; values: Array<number | null> }>();

  constructor(private readonly deps: EngineDeps) {}

  async init(): Promise<void> {
    await this.reload();
  }

  private async reload(): Promise<void> {
    await this.writes;
    this.alerts.clear();
    this.saved.clear();
    for (const a of await this.deps.store.load()) {
      this.alerts.set(a.fingerprint, a);
      this.saved.set(a.fingerprint, JSON.stringify(a));
    }
  }

  /** Whether this replica led at its last evaluation. */
  get leading(): boolean {
    return this.isLeading;
  }

  invalidateRules(): void {
    this.rules = null;
  }

  invalidateSilences(): void {
    this.silences = null;
  }

  /** Current alerts (pending, firing, recently resolved), newest activity first. */
  list(): Alert[] {
    return [...this.alerts.values()].sort((a, b) => (b.activeAt ?? 0) - (a.activeAt ?? 0)).map(publicAlert);
  }

  /** Requests an evaluation; coalesces with one already running. Never blocks. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Evaluates now and resolves when done (tests, bench). */
  async evaluateNow(): Promise<void> {
    while (this.running) await this.running;
    this.trigger();
    if (this.running) await this.running;
  }

  /** No evaluation starts after this; resolves when the running one and its writes are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flushed();
  }

  /** Waits for write-behind persistence and live pushes (tests, shutdown). */
  async flushed(): Promise<void> {
    while (this.running) await this.running;
    await this.writes;
    await this.publishing;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.evaluate();
      } catch (error) {
        console.error("alerting: evaluation failed:", loggable(error));
      }
    } while (this.again);
  }

  private async evaluate(): Promise<void> {
    if (this.deps.isLeader) {
      const leader = await this.deps.isLeader();
      // A replica taking over picks up the state and notification log its predecessor persisted.
      if (leader && !this.isLeading) {
        // Rules, silences and channels may have changed through another replica meanwhile.
        this.rules = null;
        this.silences = null;
        await this.reload();
        await this.deps.onLeadership?.();
      }
      this.isLeading = leader;
      if (!leader) {
        // A follower serves GET /alerts from what the leader persisted.
        await this.reload();
        return;
      }
    }
    const started = performance.now();
    // A rule change may invalidate this.rules while this pass awaits; the pass keeps its copy.
    this.rules ??= await this.deps.loadRules();
    const rules = this.rules;
    const now = this.deps.now();
    if (!this.silences || now - this.silences.at >= SILENCE_REFRESH_MS) {
      this.silences = { list: await this.deps.loadSilences(), at: now };
    }
    const enabled = rules.filter((r) => r.enabled);
    const data = await this.deps.data.load(spanFor(enabled, now));
    const byRule = new Map<string, Map<string, TrackedAlert>>();
    for (const a of this.alerts.values()) {
      const map = byRule.get(a.ruleId) ?? new Map<string, TrackedAlert>();
      map.set(a.fingerprint, a);
      byRule.set(a.ruleId, map);
    }
    const next = new Map<string, TrackedAlert>();
    const transitions: Transition[] = [];
    // Each project's rules see only that project's data (its rules carry its `project` label).
    const dataOf = projectData(data);
    for (const rule of enabled) {
      const result = evaluateRule(rule, dataOf(rule.labels.project), byRule.get(rule.id) ?? new Map(), now);
      for (const a of result.alerts) next.set(a.fingerprint, a);
      transitions.push(...result.transitions);
      this.measured.set(rule.id, { at: now, values: result.measured });
      byRule.delete(rule.id);
    }
    for (const id of [...this.measured.keys()]) {
      if (!enabled.some((r) => r.id === id)) this.measured.delete(id);
    }
    // Alerts of rules deleted or disabled: resolve what fired, forget what was pending.
    for (const orphans of byRule.values()) {
      for (const a of orphans.values()) {
        if (a.state === "resolved") continue;
        const { next: lifecycle, event } = advance(a, false, { forSeconds: 0, keepFiringForSeconds: 0 }, now);
        const ended = { ...a, ...lifecycle, evaluatedAt: now };
        if (event) transitions.push({ kind: event, alert: ended });
        if (ended.state === "resolved") next.set(a.fingerprint, ended);
      }
    }
    this.applyMutes(next, now);
    if (this.deps.loadAcknowledgements)
      transitions.push(...this.applyAcknowledgements(next, await this.deps.loadAcknowledgements()));
    transitions.push(...this.remind(next, now));
    this.alerts.clear();
    for (const [fp, a] of next) this.alerts.set(fp, a);
    this.lastDurationMs = performance.now() - started;

    this.deps.notify(this.grouped(), now);
    for (const t of transitions) this.emit(t.kind, t.alert, now);
    this.persist(transitions, now);
  }

  /** Acknowledgements made on any replica, applied to the activation they name. */
  private applyAcknowledgements(
    alerts: Map<string, TrackedAlert>,
    acks: ReadonlyArray<Acknowledgement>,
  ): Transition[] {
    const out: Transition[] = [];
    for (const ack of acks) {
      const a = alerts.get(ack.fingerprint);
      if (!a || a.acknowledgedBy !== null || a.activeAt !== ack.activeAt) continue;
      if (a.state !== "firing" && a.state !== "pending") continue;
      const acked = { ...a, acknowledgedBy: ack.by, acknowledgedAt: ack.at };
      alerts.set(a.fingerprint, acked);
      out.push({ kind: "acknowledged", alert: acked, actor: ack.by });
    }
    return out;
  }

  /** Reminders over live push: a firing alert nobody acknowledged is re-announced each interval. */
  private remind(alerts: Map<string, TrackedAlert>, now: number): Transition[] {
    const every = this.deps.reminderIntervalMs ?? 0;
    if (every <= 0) return [];
    const out: Transition[] = [];
    for (const a of alerts.values()) {
      if (a.state !== "firing" || a.acknowledgedBy !== null || a.silencedBy.length > 0 || a.inhibited)
        continue;
      const since = a.remindedAt ?? a.firedAt ?? now;
      if (now - since < every) continue;
      const reminded = { ...a, remindedAt: now };
      alerts.set(a.fingerprint, reminded);
      out.push({ kind: "reminder", alert: reminded });
    }
    return out;
  }

  private applyMutes(alerts: Map<string, TrackedAlert>, now: number): void {
    const firing = [...alerts.values()].filter((a) => a.state === "firing");
    const inhibitRules = this.deps.inhibitRules();
    const silences = this.silences?.list ?? [];
    for (const [fp, a] of alerts) {
      const silenced = silencedBy(silences, a.labels, now);
      const inhibited = a.state === "firing" && isInhibited(a, firing, inhibitRules);
      alerts.set(fp, { ...a, silencedBy: silenced, inhibited });
    }
  }

  private grouped(): GroupedAlert[] {
    const out: GroupedAlert[] = [];
    for (const a of this.alerts.values()) {
      if (a.state !== "firing" && a.state !== "resolved") continue;
      out.push({
        fingerprint: a.fingerprint,
        state: a.state,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.firedAt ?? a.activeAt ?? 0,
        endsAt: a.resolvedAt,
        acknowledgedBy: a.acknowledgedBy,
        muted: a.silencedBy.length > 0 || a.inhibited,
        recovering: a.state === "firing" && a.lastBreachAt !== null && a.lastBreachAt < a.evaluatedAt,
      });
    }
    return out;
  }

  private emit(kind: AlertEventKind, alert: TrackedAlert, at: number): void {
    const shown = publicAlert(alert);
    this.publishing = this.publishing
      .then(() => this.deps.publish(kind, shown, at))
      .catch((error) => console.error("alerting: live push failed:", loggable(error)));
  }

  /** Write-behind: queued in order, never awaited by the evaluation. */
  private persist(transitions: ReadonlyArray<Transition>, now: number, actor?: string): void {
    const changed: TrackedAlert[] = [];
    for (const a of this.alerts.values()) {
      const json = JSON.stringify(a);
      if (this.saved.get(a.fingerprint) !== json) {
        changed.push(a);
        this.saved.set(a.fingerprint, json);
      }
    }
    const removed = [...this.saved.keys()].filter((fp) => !this.alerts.has(fp));
    for (const fp of removed) this.saved.delete(fp);
    const events = transitions.map((t) => ({
      kind: t.kind,
      at: now,
      alert: t.alert,
      actor: t.actor ?? actor,
    }));
    if (changed.length === 0 && removed.length === 0 && events.length === 0) return;
    this.writes = this.writes
      .then(async () => {
        await this.deps.store.save(changed, removed, now);
        await this.deps.store.append(events);
      })
      .catch((error) => console.error("alerting: saving alert state failed:", loggable(error)));
  }

  /**
   * Acknowledges a pending or firing alert: reminders stop, the alert stays listed with who and
   * when. Idempotent for the same user. Throws not_found / conflict.
   */
  acknowledge(fp: string, by: string, now = this.deps.now()): Alert {
    const alert = this.alerts.get(fp);
    if (!alert) throw new AppError("not_found", `no current alert ${fp}`);
    if (alert.state === "resolved") throw new AppError("conflict", "the alert is already resolved");
    if (alert.acknowledgedBy !== null) return publicAlert(alert);
    const acked = { ...alert, acknowledgedBy: by, acknowledgedAt: now };
    // A follower only shows it; the leader applies the stored acknowledgement and announces it.
    if (this.deps.isLeader && !this.isLeading) return publicAlert(acked);
    this.alerts.set(fp, acked);
    this.emit("acknowledged", acked, now);
    this.persist([{ kind: "acknowledged", alert: acked }], now, by);
    return publicAlert(acked);
  }
}
