import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { componentDomains } from "../../db/domains.ts";
import { projects } from "../../db/schema/hub.ts";
import { type ChannelHandle, Dispatcher } from "../../server/notify/dispatcher.ts";
import type { Notification } from "../../server/notify/notification.ts";
import { NotificationLog, type PendingNotice } from "../../server/notify/notification-log.ts";
import type { DeliveryQueue, QueuedDelivery } from "../../server/notify/queue.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const ACME = randomUUID();

/** A notice decided at `createdAt` for a group of `projectId`, to the channel named `channel`. */
function noticeOf(projectId: string, channel: string, createdAt: number): PendingNotice {
  const notification = {
    id: randomUUID(),
    groupKey: `{}:{alertname="CheckoutErrorRate"}:${channel}`,
    receiver: channel,
    status: "firing",
    reminder: false,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://hub.test",
    alerts: [],
  } as unknown as Notification;
  return { projectId, channel, kind: "firing", summary: "firing CheckoutErrorRate", notification, createdAt };
}

describeEachDatabase("pending notices", componentDomains.hub, (db) => {
  it("are stored and read with their project, and re-sent only to a channel of that project", async () => {
    await db().db.insert(projects).values({ id: ACME, slug: "acme", name: "Acme" });
    const log = new NotificationLog(db().db, Date.now);
    const old = Date.now() - 60_000;
    const acme = noticeOf(ACME, "ops", old);
    const own = noticeOf(DEFAULT_PROJECT_ID, "pager", old);
    await log.commit("acme-group", null, acme);
    await log.commit("default-group", null, own);
    const pending = await log.pending(Date.now());
    expect(pending.map((n) => [n.notification.id, n.projectId])).toEqual(
      expect.arrayContaining([
        [acme.notification.id, ACME],
        [own.notification.id, DEFAULT_PROJECT_ID],
      ]),
    );

    // The default project's channel "ops" is not Acme's "ops" (which Acme deleted since).
    const sent: QueuedDelivery[] = [];
    const queue = { enqueue: (d: QueuedDelivery) => sent.push(d) } as unknown as DeliveryQueue;
    const dispatcher = new Dispatcher({ queue, externalURL: "http://hub.test", generatorURL: () => "", log });
    const handle = (name: string): ChannelHandle => ({
      name,
      kind: "webhook",
      notifier: { send: async () => ({ ok: true }) },
      project: { id: DEFAULT_PROJECT_ID, slug: "default" },
    });
    dispatcher.configure({ matchers: [], continue: false, routes: [] }, [handle("ops"), handle("pager")]);
    dispatcher.update([], Date.now());
    await expect.poll(() => sent.map((d) => d.notification.id)).toEqual([own.notification.id]);
    // Acme's notice has no channel of its own left: settled, never sent elsewhere.
    await expect
      .poll(async () => (await log.pending(Date.now())).map((n) => n.notification.id))
      .toEqual([own.notification.id]);
  });
});
