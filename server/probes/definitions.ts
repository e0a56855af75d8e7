import { and, asc, eq } from "drizzle-orm";
import type { Probe } from "../../core/probe.ts";
import type { Db } from "../../db/open.ts";
import { type ProbeDefinitionRow, probeDefinitions, retiredProbes } from "../../db/schema/hub.ts";

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

/** Probe definitions stored by the hub, per project; callers validate (core ProbeSchema) before writing. */
export class ProbeDefinitions {
  constructor(private readonly db: Db) {}

  async list(projectId: string): Promise<ProbeDefinitionView[]> {
    return (
      await this.db
        .select()
        .from(probeDefinitions)
        .where(eq(probeDefinitions.projectId, projectId))
        .orderBy(asc(probeDefinitions.name))
    ).map(view);
  }

  /** The probes every probes process should run: all that are not paused. */
  async served(projectId: string): Promise<Probe[]> {
    return (await this.list(projectId)).filter((d) => !d.paused).map((d) => d.probe);
  }

  /** Inserts; undefined when the project has a probe of that name. */
  async create(
    projectId: string,
    probe: Probe,
    paused: boolean,
    by: string | null,
  ): Promise<ProbeDefinitionView | undefined> {
    const [row] = await this.db
      .insert(probeDefinitions)
      .values({ projectId, name: probe.name, definition: probe, paused, updatedBy: by })
      .onConflictDoNothing()
      .returning();
    // A probe of a deleted one's name is listed again from its first result.
    if (row)
      await this.db
        .delete(retiredProbes)
        .where(and(eq(retiredProbes.projectId, projectId), eq(retiredProbes.name, probe.name)));
    return row ? view(row) : undefined;
  }

  /** Replaces the definition and/or the paused flag; undefined when there is none of that name. */
  async update(
    projectId: string,
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
      .where(and(eq(probeDefinitions.projectId, projectId), eq(probeDefinitions.name, name)))
      .returning();
    return row ? view(row) : undefined;
  }

  /** Deletes the definition and retires its name (see retiredProbes); false when there was none. */
  async delete(projectId: string, name: string, now = Date.now()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx
        .delete(probeDefinitions)
        .where(and(eq(probeDefinitions.projectId, projectId), eq(probeDefinitions.name, name)))
        .returning({ name: probeDefinitions.name });
      if (deleted.length === 0) return false;
      await tx
        .insert(retiredProbes)
        .values({ projectId, name, retiredAt: now })
        .onConflictDoUpdate({
          target: [retiredProbes.projectId, retiredProbes.name],
          set: { retiredAt: now },
        });
      return true;
    });
  }
}
