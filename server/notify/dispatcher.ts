import { randomUUID } from "node:crypto";
import type { Route } from "../../core/channel.ts";
import { loggable } from "../../db/loggable-error.ts";
import { type FlushPlan, type GroupedAlert, type GroupState, newGroup, planGroup } from "./group.ts";
import { common, type Notification, type NotifiedAlert } from "./notification.ts";
import type { NotificationLog, PendingNotice } from "./notification-log.ts";
import type { Notifier } from "./notifier.ts";
import type { DeliveryQueue } from "./queue.ts";
import { groupKey, groupLabels, matchRoutes, type RouteDefaults, routeDefaults } from "./routing.ts";

/** A channel the dispatcher can deliver to, and the project it (and everything sent to it) belongs to. */
export interface ChannelHandle {
  name: string;
  kind: string;
  notifier: Notifier;
  project: { id: string; slug: string };
}

export interface DispatcherOptions {
  queue: DeliveryQueue;
  externalURL: string;
  /** A link to the alert for `generatorURL`. */
  generatorURL: (alert: GroupedAlert) => string;
  /** Timings for routes that set none (group_wait, group_interval, repeat_interval). */
  defaults?: RouteDefaults;
  /** Where group state and pending notices are kept across restarts and leader changes; absent: memory only. */
  log?: NotificationLog;
  /**
   * A pending notice older than this that this hub is not sending is re-sent (another replica or
   * an earlier process decided it and died before it was delivered). Default 10 s.
   */
  resendGraceMs?: number;
}

const memory = (g: GroupState) => JSON.stringify([g.startedAt, g.lastFlushAt, [...g.sentFiring].sort()]);

/**
 * Alertmanager's dispatch stage: routes alerts through the tree into groups per route and
 * group labels, and asks each group whether it notifies now (group.ts). `update` is called
 * with every current alert after each evaluation; it only enqueues, never waits on delivery.
 */
export class Dispatcher {
  private groups = new Map<string, GroupState>();
  private route: Route = { matchers: [], continue: false, routes: [] };
  private channels = new Map<string, ChannelHandle>();
  /** Notices this hub has queued and not yet settled: never re-sent from the log meanwhile. */
  private readonly inFlight = new Set<string>();
  /** Notices settled while a resend scan ran (its snapshot may still list them). */
  private readonly settledDuringScan = new Set<string>();
  private lastScanAt = Number.NEGATIVE_INFINITY;
  private scanning = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** Replaces the routing tree and channels; groups of routes that no longer exist are dropped. */
  configure(route: Route, channels: ReadonlyArray<ChannelHandle>): void {
    this.route = route;
    this.channels = new Map(channels.map((c) => [c.name, c]));
  }

  /**
   * Replaces the in-memory group state with what the notification log holds: called when a hub
   * starts and when a replica becomes leader, so neither repeats what was already sent.
   */
  async restore(): Promise<void> {
    if (!this.options.log) return;
    this.groups = new Map((await this.options.log.load()).map((g) => [g.key, g]));
    // Re-send what a predecessor decided and did not deliver, at the next evaluation.
    this.lastScanAt = Number.NEGATIVE_INFINITY;
  }

  update(alerts: ReadonlyArray<GroupedAlert>, now: number): void {
    const members = new Map<string, GroupedAlert[]>();
    for (const alert of alerts) {
      for (const route of matchRoutes(this.route, alert.labels, this.options.defaults ?? routeDefaults)) {
        const channel = this.channels.get(route.channel);
        if (!channel) continue;
        const labels = groupLabels(route, alert.labels);
        const key = groupKey(route, labels);
        if (!this.groups.has(key)) this.groups.set(key, newGroup(key, route, labels, channel.project.id));
        const list = members.get(key) ?? [];
        list.push(alert);
        members.set(key, list);
      }
    }
    for (const [key, state] of this.groups) {
      const { next, flush, done } = planGroup(state, members.get(key) ?? [], now);
      const forget = done || (!members.has(key) && next.sentFiring.size === 0);
      if (forget) this.groups.delete(key);
      else this.groups.set(key, next);
      const notice = flush ? this.notice(next, flush, now) : null;
      // Group state and the notice are recorded together before the notice is sent: a crash in
      // between leaves a pending notice that the next leader re-sends (at least once, same id).
      const changed = forget
        ? state.lastFlushAt !== null || state.startedAt !== null
        : memory(next) !== memory(state);
      const recorded =
        this.options.log && (changed || notice)
          ? this.options.log.commit(key, forget ? null : next, notice ?? undefined)
          : undefined;
      if (notice) this.send(notice, recorded);
    }
    this.scanPending(now);
  }

  private notice(group: GroupState, plan: FlushPlan, now: number): PendingNotice | null {
    const channel = this.channels.get(group.route.channel);
    if (!channel) return null;
    const alerts: NotifiedAlert[] = [...plan.firing, ...plan.resolved].map((a) => ({
      status: a.state,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.state === "resolved" ? (a.endsAt ?? now) : null,
      generatorURL: this.options.generatorURL(a),
      fingerprint: a.fingerprint,
      acknowledgedBy: a.acknowledgedBy,
      recovering: a.state === "firing" && a.recovering,
    }));
    const notification: Notification = {
      id: randomUUID(),
      groupKey: group.key,
      receiver: channel.name,
      status: plan.firing.length > 0 ? "firing" : "resolved",
      reminder: plan.kind === "reminder",
      groupLabels: group.labels,
      commonLabels: common(alerts.map((a) => a.labels)),
      commonAnnotations: common(alerts.map((a) => a.annotations)),
      externalURL: this.options.externalURL,
      alerts,
    };
    const names = [...new Set(alerts.map((a) => a.labels.alertname ?? "?"))].join(", ");
    return {
      projectId: group.projectId,
      channel: channel.name,
      kind: plan.kind,
      summary: `${plan.kind} ${names} (${plan.firing.length} firing, ${plan.resolved.length} resolved)`,
      notification,
      createdAt: now,
    };
  }

  /** Queues the notice for its channel; false (and settled) when it has none any more. */
  private send(notice: PendingNotice, recorded: Promise<void> | undefined): boolean {
    const found = this.channels.get(notice.channel);
    // Only the notice's own project's channel: a name another project took since is not it.
    const channel = found?.project.id === notice.projectId ? found : undefined;
    const id = notice.notification.id;
    if (!channel) {
      // Its channel was deleted or disabled since (or is not its project's): nobody to tell.
      this.options.log?.settle(id);
      return false;
    }
    this.inFlight.add(id);
    this.options.queue.enqueue({
      channel,
      notifier: channel.notifier,
      notification: notice.notification,
      kind: notice.kind,
      summary: notice.summary,
      recorded,
      settled: () => {
        this.inFlight.delete(id);
        if (this.scanning) this.settledDuringScan.add(id);
        this.options.log?.settle(id);
      },
    });
    return true;
  }

  /** Now and then (every half grace), re-sends pending notices nobody here is sending. Never blocks. */
  private scanPending(now: number): void {
    const log = this.options.log;
    const grace = this.options.resendGraceMs ?? 10_000;
    if (!log || this.scanning || now - this.lastScanAt < grace / 2) return;
    this.lastScanAt = now;
    this.scanning = true;
    this.settledDuringScan.clear();
    void log
      .pending(now - grace)
      .then((notices) => {
        for (const notice of notices) {
          const id = notice.notification.id;
          if (this.inFlight.has(id) || this.settledDuringScan.has(id)) continue;
          if (this.send(notice, undefined))
            console.log(
              `alerting: re-sending notice ${id} (${notice.summary}) to ${notice.channel}: decided, never delivered`,
            );
        }
      })
      .catch((error) => console.error("alerting: reading pending notices failed:", loggable(error)))
      .finally(() => {
        this.scanning = false;
      });
  }
}
