import { and, asc, eq } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { AppError } from "../../core/http/app-error.ts";
import { type Rule, type RuleSpec, RuleSpecSchema } from "../../core/rule.ts";
import type { Db } from "../../db/open.ts";
import { type RuleRow, rules } from "../../db/schema/alerting.ts";
import { projects } from "../../db/schema/hub.ts";

function toRule(row: RuleRow): Rule {
  return {
    ...RuleSpecSchema.parse(row.spec),
    id: row.id,
    builtin: row.builtin,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}

/** Alert rules in the database; specs are validated on the way in and out. */
export class RuleStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** The project's rules (the engine reads every project's through listForEvaluation). */
  async list(projectId: string): Promise<Rule[]> {
    return (
      await this.db.select().from(rules).where(eq(rules.projectId, projectId)).orderBy(asc(rules.name))
    ).map(toRule);
  }

  /**
   * Every project's rules for the engine: a rule of a project other than the default one carries
   * `project: <slug>` in its labels, so its alerts, silences and routes stay in that project (the
   * default project's alerts keep their labels, and fingerprints, as before projects).
   */
  async listForEvaluation(): Promise<Rule[]> {
    const rows = await this.db
      .select({ rule: rules, slug: projects.slug })
      .from(rules)
      .innerJoin(projects, eq(projects.id, rules.projectId))
      .orderBy(asc(rules.name));
    return rows.map(({ rule, slug }) => {
      const { project: _own, ...labels } = toRule(rule).labels;
      const r = toRule(rule);
      return { ...r, labels: rule.projectId === DEFAULT_PROJECT_ID ? labels : { ...labels, project: slug } };
    });
  }

  /** Throws AppError not_found (also for another project's rule). */
  async get(id: string, projectId: string): Promise<Rule> {
    const [row] = await this.db
      .select()
      .from(rules)
      .where(and(eq(rules.id, id), eq(rules.projectId, projectId)));
    if (!row) throw new AppError("not_found", `no rule ${id}`);
    return toRule(row);
  }

  /** Throws AppError conflict when the name is taken. */
  async create(spec: RuleSpec, by: string | null, builtin: boolean, projectId: string): Promise<Rule> {
    const at = this.now();
    try {
      const [row] = await this.db
        .insert(rules)
        .values({ projectId, name: spec.name, spec, builtin, updatedBy: by, createdAt: at, updatedAt: at })
        .returning();
      return toRule(row!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError("conflict", `a rule named ${spec.name} exists`);
      throw error;
    }
  }

  /** Replaces a rule's spec; throws not_found or conflict. */
  async update(id: string, spec: RuleSpec, by: string | null, projectId: string): Promise<Rule> {
    try {
      const [row] = await this.db
        .update(rules)
        .set({ name: spec.name, spec, updatedBy: by, updatedAt: this.now() })
        .where(and(eq(rules.id, id), eq(rules.projectId, projectId)))
        .returning();
      if (!row) throw new AppError("not_found", `no rule ${id}`);
      return toRule(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError("conflict", `a rule named ${spec.name} exists`);
      throw error;
    }
  }

  async remove(id: string, projectId: string): Promise<void> {
    const deleted = await this.db
      .delete(rules)
      .where(and(eq(rules.id, id), eq(rules.projectId, projectId)))
      .returning({ id: rules.id });
    if (deleted.length === 0) throw new AppError("not_found", `no rule ${id}`);
  }

  /** Seeds the shipped rules into an empty rule table (a deployment that deleted them keeps them deleted). */
  async seed(defaults: ReadonlyArray<RuleSpec>): Promise<void> {
    const [any] = await this.db.select({ id: rules.id }).from(rules).limit(1);
    if (any) return;
    const at = this.now();
    await this.db
      .insert(rules)
      .values(
        defaults.map((spec) => ({ name: spec.name, spec, builtin: true, createdAt: at, updatedAt: at })),
      )
      .onConflictDoNothing();
  }
}
