import { eq } from "drizzle-orm";
import { type Route, type Routing, RoutingSchema } from "../../core/channel.ts";
import type { Db } from "../../db/open.ts";
import { routing } from "../../db/schema/alerting.ts";

/** Each project's routing document (tree + inhibition rules); null until someone declares one. */
export class RoutingStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  async get(projectId: string): Promise<(Routing & { source: string }) | null> {
    const [row] = await this.db.select().from(routing).where(eq(routing.projectId, projectId));
    return row ? { ...RoutingSchema.parse(row.tree), source: row.source } : null;
  }

  /** Every project's declared document, by project id. */
  async all(): Promise<Map<string, Routing>> {
    const rows = await this.db.select().from(routing);
    return new Map(rows.map((r) => [r.projectId, RoutingSchema.parse(r.tree)]));
  }

  async put(projectId: string, doc: Routing, source: "api" | "config"): Promise<void> {
    const values = { tree: doc, source, updatedAt: this.now() };
    await this.db
      .insert(routing)
      .values({ projectId, ...values })
      .onConflictDoUpdate({ target: routing.projectId, set: values });
  }

  async clear(projectId: string): Promise<void> {
    await this.db.delete(routing).where(eq(routing.projectId, projectId));
  }
}

/**
 * The tree used when none was declared: every webhook channel gets every alert, every email
 * channel gets the critical ones (managers hear what matters). Alertmanager channels are fed
 * by the forwarder, not the tree.
 */
export function defaultRoute(channels: ReadonlyArray<{ name: string; kind: string }>): Route {
  return {
    matchers: [],
    continue: false,
    routes: channels
      .filter((c) => c.kind !== "alertmanager")
      .map((c) => ({
        channel: c.name,
        matchers: c.kind === "email" ? [{ name: "severity", op: "=" as const, value: "critical" }] : [],
        continue: true,
        routes: [],
      })),
  };
}
