import { asc, eq } from "drizzle-orm";
import type { Probe } from "../../core/probe.ts";
import type { Db } from "../../db/open.ts";
import { type ProbeDefinitionRow, probeDefinitions } from "../../db/schema/hub.ts";

/** A probe the hub keeps, as the API shows it. */
export interface ProbeDefinitionView {
  name: string;
  paused: boolean;
  probe: Probe;
  updatedBy: string | null;
  updatedAt: string;
}

const view = (r: ProbeDefinitionRow): ProbeDefinitionView => ({
  name: r.name,
  paused: r.paused,
  probe: r.definition as Probe,
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt.toISOString(),
});

/** Probe definitions stored by the hub; callers validate (core ProbeSchema) before writing. */
export class ProbeDefinitions {
  constructor(private readonly db: Db) {}

  async list(): Promise<ProbeDefinitionView[]> {
    return (await this.db.select().from(probeDefinitions).orderBy(asc(probeDefinitions.name))).map(view);
  }

  /** The probes every probes process should run: all that are not paused. */
  async served(): Promise<Probe[]> {
    return (await this.list()).filter((d) => !d.paused).map((d) => d.probe);
  }

  /** Inserts; undefined when a probe of that name exists. */
  async create(probe: Probe, paused: boolean, by: string | null): Promise<ProbeDefinitionView | undefined> {
    const [row] = await this.db
      .insert(probeDefinitions)
      .values({ name: probe.name, definition: probe, paused, updatedBy: by })
      .onConflictDoNothing()
      .returning();
    return row ? view(row) : undefined;
  }

  /** Replaces the definition and/or the paused flag; undefined when there is none of that name. */
  async update(
    name: string,
    change: { probe?: Probe; paused?: boolean },
    by: string | null,
  ): Promise<ProbeDefinitionView | undefined> {
    const [row] = await this.db
      .update(probeDefinitions)
      .set({
        ...(change.probe ? { definition: change.probe } : {}),
        ...(change.paused !== undefined ? { paused: change.paused } : {}),
        updatedBy: by,
        updatedAt: new Date(),
      })
      .where(eq(probeDefinitions.name, name))
      .returning();
    return row ? view(row) : undefined;
  }

  async delete(name: string): Promise<boolean> {
    const deleted = await this.db
      .delete(probeDefinitions)
      .where(eq(probeDefinitions.name, name))
      .returning({ name: probeDefinitions.name });
    return deleted.length > 0;
  }
}
