import { desc, eq, gt } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import type { Matcher } from "../../core/matchers.ts";
import type { Silence, SilenceInput } from "../../core/silence.ts";
import type { Db } from "../../db/open.ts";
import { type SilenceRow, silences } from "../../db/schema/alerting.ts";

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
  async list(all = false): Promise<Silence[]> {
    const query = this.db.select().from(silences);
    const rows = all
      ? await query.orderBy(desc(silences.createdAt)).limit(500)
      : await query.where(gt(silences.endsAt, this.now())).orderBy(desc(silences.createdAt));
    return rows.map(toSilence);
  }

  async create(input: SilenceInput, createdBy: string): Promise<Silence> {
    const at = this.now();
    const startsAt = input.startsAt ?? at;
    if (input.endsAt <= Math.max(startsAt, at))
      throw new AppError("bad_request", "body.endsAt: must be in the future");
    const [row] = await this.db
      .insert(silences)
      .values({
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
  async expire(id: string): Promise<Silence> {
    const [row] = await this.db
      .update(silences)
      .set({ endsAt: this.now() })
      .where(eq(silences.id, id))
      .returning();
    if (!row) throw new AppError("not_found", `no silence ${id}`);
    return toSilence(row);
  }
}
