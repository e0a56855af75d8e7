import { eq } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import type { Db } from "../../db/open.ts";
import { projects } from "../../db/schema/hub.ts";

/**
 * Project ids by the `project` label value of their alerts (the slug; none or "" for the default
 * project: server/alerting/project-label.ts). Cached, since a project's slug never changes.
 */
export class ProjectIds {
  readonly #bySlug = new Map<string, string>();

  constructor(private readonly db: Db) {}

  /** Throws on a label no project has (rules only ever carry their own project's slug). */
  async ofLabel(label: string | undefined): Promise<string> {
    if (!label) return DEFAULT_PROJECT_ID;
    const known = this.#bySlug.get(label);
    if (known) return known;
    const [row] = await this.db.select({ id: projects.id }).from(projects).where(eq(projects.slug, label));
    if (!row) throw new Error(`no project ${label} (an alert's project label)`);
    this.#bySlug.set(label, row.id);
    return row.id;
  }
}
