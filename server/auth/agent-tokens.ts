import { and, desc, eq } from "drizzle-orm";
import type { AgentTokenView } from "../../core/api/audit.ts";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { AppError } from "../../core/http/app-error.ts";
import type { Db } from "../../db/open.ts";
import { agentTokens } from "../../db/schema/hub.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { hashToken, newToken, sameSecret } from "./tokens.ts";

/** An agent the hub recognised from its bearer token. */
export interface Agent {
  tokenId: string | null;
  name: string;
  /** The one project this token reads and writes. */
  projectId: string;
}

interface Known {
  agent: Agent;
  expiresAt: Date | null;
}

const CACHE_MS = 30_000;

/**
 * Agent tokens: the configured bootstrap token plus tokens created by admins, stored as SHA-256.
 * Lookups are cached briefly so ingest does not pay a query per batch; deleting a token here
 * drops it from the cache at once.
 */
export class AgentTokens {
  readonly #cache = new Map<string, { known: Known | null; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly bootstrapToken: string | undefined,
    private readonly now: () => number = Date.now,
    private readonly audit?: AuditLog,
  ) {}

  /**
   * The agent behind `token`, or null when unknown. An expired token throws 401 naming its
   * expiry (the cache keeps the expiry, so a cached token still stops at the instant it expires).
   */
  async verify(token: string): Promise<Agent | null> {
    if (this.bootstrapToken && sameSecret(token, this.bootstrapToken))
      return { tokenId: null, name: "bootstrap", projectId: DEFAULT_PROJECT_ID };
    const hash = hashToken(token);
    const now = this.now();
    const cached = this.#cache.get(hash);
    const known = cached && cached.until > now ? cached.known : await this.#lookup(hash, now);
    if (!known) return null;
    if (known.expiresAt && known.expiresAt.getTime() <= now) {
      const expiresAt = known.expiresAt.toISOString();
      await this.audit?.refused(`agent_token:${known.agent.tokenId}`, {
        actor: "hub",
        action: "agent_token.refused_expired",
        target: `${known.agent.name} (${known.agent.tokenId})`,
        detail: { expiresAt },
      });
      throw new AppError("unauthorized", `agent token ${known.agent.name} expired at ${expiresAt}`);
    }
    return known.agent;
  }

  async #lookup(hash: string, now: number): Promise<Known | null> {
    const [row] = await this.db
      .select({
        id: agentTokens.id,
        name: agentTokens.name,
        projectId: agentTokens.projectId,
        expiresAt: agentTokens.expiresAt,
      })
      .from(agentTokens)
      .where(eq(agentTokens.tokenHash, hash));
    const known = row
      ? { agent: { tokenId: row.id, name: row.name, projectId: row.projectId }, expiresAt: row.expiresAt }
      : null;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hash, { known, until: now + CACHE_MS });
    if (row && (row.expiresAt === null || row.expiresAt.getTime() > now)) {
      await this.db
        .update(agentTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(agentTokens.id, row.id));
    }
    return known;
  }

  /** Creates a token of one project; the plaintext is returned once and never stored. */
  async create(
    name: string,
    createdBy: string | null,
    expiresAt: Date | null,
    projectId: string,
  ): Promise<{ id: string; token: string }> {
    const token = newToken("pwa");
    const [row] = await this.db
      .insert(agentTokens)
      .values({ name, tokenHash: hashToken(token), createdBy, expiresAt, projectId })
      .returning({ id: agentTokens.id });
    this.#cache.clear();
    return { id: row!.id, token };
  }

  /** Every token of the project, newest first; expired ones stay listed (marked) until an admin revokes them. */
  async list(projectId: string): Promise<AgentTokenView[]> {
    const rows = await this.db
      .select()
      .from(agentTokens)
      .where(eq(agentTokens.projectId, projectId))
      .orderBy(desc(agentTokens.createdAt));
    const now = this.now();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
      expiresAt: r.expiresAt?.toISOString() ?? null,
      expired: r.expiresAt !== null && r.expiresAt.getTime() <= now,
    }));
  }

  /** Revokes one of the project's tokens; returns its name, or null when it has none with that id. */
  async delete(id: string, projectId: string): Promise<string | null> {
    const [deleted] = await this.db
      .delete(agentTokens)
      .where(and(eq(agentTokens.id, id), eq(agentTokens.projectId, projectId)))
      .returning({ name: agentTokens.name });
    this.#cache.clear();
    return deleted?.name ?? null;
  }

  /**
   * The hub's own bookkeeping, in whichever project: revokes every token named `name` (a run's
   * `run:<id>` token); returns how many there were.
   */
  async revokeNamed(name: string): Promise<number> {
    const deleted = await this.db
      .delete(agentTokens)
      .where(eq(agentTokens.name, name))
      .returning({ id: agentTokens.id });
    this.#cache.clear();
    return deleted.length;
  }
}
