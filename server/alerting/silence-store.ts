import { and, desc, eq, gt } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { AppError } from "../../core/http/app-error.ts";
import type { Matcher } from "../../core/matchers.ts";
import type { Silence, SilenceInput } from "../../core/silence.ts";
import type { Db } from "../../db/open.ts";
import { type SilenceRow, silences } from "../../db/schema/alerting.ts";
import { projects } from "../../db/schema/hub.ts";

function toSilence(row: SilenceRow): Silence {
  return {
    id: row.id,
    matchers: row.matchers as Matcher[],
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    createdBy: row.createdBy,
    comment: row.comment,
    createdAt: row.createdAt,
  };
}

/** Silences; they expire by themselves at endsAt (expiring early sets endsAt to now). */
export class SilenceStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Silences not yet expired (pending or active), or all of them with `all`. */
  async list(all: boolean, projectId: string): Promise<Silence[]> {
    const query = this.db.select().from(silences);
    const mine = eq(silences.projectId, projectId);
    const rows = all
      ? await query.where(mine).orderBy(desc(silences.createdAt)).limit(500)
      : await query.where(and(mine, gt(silences.endsAt, this.now()))).orderBy(desc(silences.createdAt));
    return rows.map(toSilence);
  }

  /**
   * Every project's current silences for the engine, each held to its own project's alerts by one
   * more matcher on the `project` label (absent, read as "", for the default project).
   */
  async listForEvaluation(): Promise<Silence[]> {
    const rows = await this.db
      .select({ silence: silences, slug: projects.slug })
      .from(silences)
      .innerJoin(projects, eq(projects.id, silences.projectId))
      .where(gt(silences.endsAt, this.now()))
      .orderBy(desc(silences.createdAt));
    return rows.map(({ silence, slug }) => {
      const s = toSilence(silence);
      const value = silence.projectId === DEFAULT_PROJECT_ID ? "" : slug;
      return { ...s, matchers: [...s.matchers, { name: "project", op: "=" as const, value }] };
    });
  }

  async create(input: SilenceInput, createdBy: string, projectId: string): Promise<Silence> {
    const at = this.now();
    const startsAt = input.startsAt ?? at;
    if (input.endsAt <= Math.max(startsAt, at))
      throw new AppError("bad_request", "body.endsAt: must be in the future");
    const [row] = await this.db
      .insert(silences)
      .values({
        projectId,
        matchers: input.matchers,
        startsAt,
        endsAt: input.endsAt,
        createdBy,
        comment: input.comment,
        createdAt: at,
      })
      .returning();
    return toSilence(row!);
  }

  /** Ends a silence now; throws not_found. */
  async expire(id: string, projectId: string): Promise<Silence> {
    const [row] = await this.db
      .update(silences)
      .set({ endsAt: this.now() })
      .where(and(eq(silences.id, id), eq(silences.projectId, projectId)))
      .returning();
    if (!row) throw new AppError("not_found", `no silence ${id}`);
    return toSilence(row);
  }
}
