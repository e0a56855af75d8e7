import { randomUUID } from "node:crypto";
import { alertInProject } from "../alerting/project-label.ts";
import type { ChannelHandle } from "./dispatcher.ts";
import type { GroupedAlert } from "./group.ts";
import type { Notification, NotifiedAlert } from "./notification.ts";
import type { DeliveryQueue } from "./queue.ts";

/**
 * Keeps Alertmanagers in step the way Prometheus does: every firing alert is (re-)sent when it
 * changes and then every `resendMs` (each post carries an endsAt a few resends ahead, so
 * Alertmanager expires it if we go quiet), a resolved one is sent once with its real end.
 * Alertmanager does its own grouping, silencing and inhibition, so nothing is muted here.
 */
export class AlertmanagerForwarder {
  private channels: ChannelHandle[] = [];
  private readonly lastSent = new Map<string, { at: number; state: string }>();

  constructor(
    private readonly options: {
      queue: DeliveryQueue;
      resendMs: number;
      generatorURL: (a: GroupedAlert) => string;
      externalURL: string;
    },
  ) {}

  configure(channels: ReadonlyArray<ChannelHandle>): void {
    this.channels = [...channels];
  }

  update(alerts: ReadonlyArray<GroupedAlert>, now: number): void {
    if (this.channels.length === 0) return;
    const due: GroupedAlert[] = [];
    const present = new Set<string>();
    for (const alert of alerts) {
      present.add(alert.fingerprint);
      const last = this.lastSent.get(alert.fingerprint);
      if (alert.state === "resolved") {
        if (last && last.state === "firing") due.push(alert);
        continue;
      }
      if (last?.state !== "firing" || now - last.at >= this.options.resendMs) due.push(alert);
    }
    for (const fp of [...this.lastSent.keys()]) {
      if (!present.has(fp)) this.lastSent.delete(fp);
    }
    if (due.length === 0) return;
    for (const a of due) this.lastSent.set(a.fingerprint, { at: now, state: a.state });
    const notified: NotifiedAlert[] = due.map((a) => ({
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
    for (const channel of this.channels) {
      // An Alertmanager channel gets only its own project's alerts.
      const own = notified.filter((a) => alertInProject(a.labels, channel.project));
      if (own.length === 0) continue;
      const firing = own.filter((a) => a.status === "firing").length;
      const notification: Notification = {
        id: randomUUID(),
        groupKey: "alertmanager",
        receiver: channel.name,
        status: firing > 0 ? "firing" : "resolved",
        reminder: false,
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: this.options.externalURL,
        alerts: own,
      };
      this.options.queue.enqueue({
        channel,
        notifier: channel.notifier,
        notification,
        kind: firing > 0 ? "firing" : "resolved",
        summary: `forward ${own.length} alert(s) (${firing} firing)`,
      });
    }
  }
}
