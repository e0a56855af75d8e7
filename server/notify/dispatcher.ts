import { randomUUID } from "node:crypto";
import type { Route } from "../../core/channel.ts";
import { type FlushPlan, type GroupedAlert, type GroupState, newGroup, planGroup } from "./group.ts";
import { common, type Notification, type NotifiedAlert } from "./notification.ts";
import type { NotificationLog } from "./notification-log.ts";
import type { Notifier } from "./notifier.ts";
import type { DeliveryQueue } from "./queue.ts";
import { groupKey, groupLabels, matchRoutes, type RouteDefaults, routeDefaults } from "./routing.ts";

/** A channel the dispatcher can deliver to. */
export interface ChannelHandle {
  name: string;
  kind: string;
  notifier: Notifier;
}

export interface DispatcherOptions {
  queue: DeliveryQueue;
  externalURL: string;
  /** A link to the alert for `generatorURL`. */
  generatorURL: (alert: GroupedAlert) => string;
  /** Timings for routes that set none (group_wait, group_interval, repeat_interval). */
  defaults?: RouteDefaults;
  /** Where group state is kept across restarts and leader changes; absent: memory only. */
  log?: NotificationLog;
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
  }

  update(alerts: ReadonlyArray<GroupedAlert>, now: number): void {
    const members = new Map<string, GroupedAlert[]>();
    for (const alert of alerts) {
      for (const route of matchRoutes(this.route, alert.labels, this.options.defaults ?? routeDefaults)) {
        if (!this.channels.has(route.channel)) continue;
        const labels = groupLabels(route, alert.labels);
        const key = groupKey(route, labels);
        if (!this.groups.has(key)) this.groups.set(key, newGroup(key, route, labels));
        const list = members.get(key) ?? [];
        list.push(alert);
        members.set(key, list);
      }
    }
    for (const [key, state] of this.groups) {
      const { next, flush, done } = planGroup(state, members.get(key) ?? [], now);
      // The log is written before the notice is queued: a crash in between loses one notice
      // rather than sending it twice after the restart.
      if (done || (!members.has(key) && next.sentFiring.size === 0)) {
        this.groups.delete(key);
        if (state.lastFlushAt !== null || state.startedAt !== null) this.options.log?.remove(key);
      } else {
        this.groups.set(key, next);
        if (memory(next) !== memory(state)) this.options.log?.save(next);
      }
      if (flush) this.send(next, flush, now);
    }
  }

  private send(group: GroupState, plan: FlushPlan, now: number): void {
    const channel = this.channels.get(group.route.channel);
    if (!channel) return;
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
    this.options.queue.enqueue({
      channel,
      notifier: channel.notifier,
      notification,
      kind: plan.kind,
      summary: `${plan.kind} ${names} (${plan.firing.length} firing, ${plan.resolved.length} resolved)`,
    });
  }
}
