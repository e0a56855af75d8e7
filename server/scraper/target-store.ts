import { and, asc, count, eq } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import type { Db } from "../../db/open.ts";
import { projects, type ScrapeTargetRow, scrapeTargets } from "../../db/schema/hub.ts";

/** Most targets one project may have the hub scrape (every one is fetched each interval). */
export const MAX_SCRAPE_TARGETS = 20;

/** The scrape targets projects added through the API (hub.scrape_targets), each its project's own. */
export class ScrapeTargets {
  constructor(private readonly db: Db) {}

  /** The project's targets, by URL. */
  list(projectId: string): Promise<ScrapeTargetRow[]> {
    return this.db
      .select()
      .from(scrapeTargets)
      .where(eq(scrapeTargets.projectId, projectId))
      .orderBy(asc(scrapeTargets.url));
  }

  /** Every project's targets: the scraper's view, which stores each sample with its target's project. */
  all(): Promise<ScrapeTargetRow[]> {
    return this.db.select().from(scrapeTargets).orderBy(asc(scrapeTargets.url));
  }

  /**
   * Adds a target to the project; throws conflict when the project already scrapes the URL and
   * bad_request past MAX_SCRAPE_TARGETS. Atomic: simultaneous adds to one project take turns on
   * its row's lock, so the count each checks still holds when it inserts.
   */
  create(projectId: string, url: string, createdBy: string): Promise<ScrapeTargetRow> {
    return this.db.transaction(async (tx) => {
      await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).for("update");
      const [held] = await tx
        .select({ n: count() })
        .from(scrapeTargets)
        .where(eq(scrapeTargets.projectId, projectId));
      if ((held?.n ?? 0) >= MAX_SCRAPE_TARGETS)
        throw new AppError(
          "bad_request",
          `body.url: a project scrapes at most ${MAX_SCRAPE_TARGETS} targets`,
        );
      const [row] = await tx
        .insert(scrapeTargets)
        .values({ projectId, url, createdBy })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new AppError("conflict", `the project already scrapes ${url}`);
      return row;
    });
  }

  /** Removes one of the project's targets; throws not_found (another project's too). */
  async remove(projectId: string, id: string): Promise<ScrapeTargetRow> {
    const [row] = await this.db
      .delete(scrapeTargets)
      .where(and(eq(scrapeTargets.id, id), eq(scrapeTargets.projectId, projectId)))
      .returning();
    if (!row) throw new AppError("not_found", `no scrape target ${id}`);
    return row;
  }
}
