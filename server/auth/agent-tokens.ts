import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { agentTokens } from "../../db/schema/hub.ts";
import { hashToken, newToken, sameSecret } from "./tokens.ts";

/** An agent the hub recognised from its bearer token. */
export interface Agent {
  tokenId: string | null;
  name: string;
}

export interface AgentTokenInfo {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

const CACHE_MS = 30_000;

/**
 * Agent tokens: the configured bootstrap token plus tokens created by admins, stored as SHA-256.
 * Lookups are cached briefly so ingest does not pay a query per batch; deleting a token here
 * drops it from the cache at once.
 */
export class AgentTokens {
  readonly #cache = new Map<string, { agent: Agent | null; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly bootstrapToken: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The agent behind `token`, or null. */
  async verify(token: string): Promise<Agent | null> {
    if (this.bootstrapToken && sameSecret(token, this.bootstrapToken))
      return { tokenId: null, name: "bootstrap" };
    const hash = hashToken(token);
    const cached = this.#cache.get(hash);
    if (cached && cached.until > this.now()) return cached.agent;
    const [row] = await this.db
      .select({ id: agentTokens.id, name: agentTokens.name })
      .from(agentTokens)
      .where(eq(agentTokens.tokenHash, hash));
    const agent = row ? { tokenId: row.id, name: row.name } : null;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hash, { agent, until: this.now() + CACHE_MS });
    if (row) {
      await this.db
        .update(agentTokens)
        .set({ lastUsedAt: new Date(this.now()) })
        .where(eq(agentTokens.id, row.id));
    }
    return agent;
  }

  /** Creates a token; the plaintext is returned once and never stored. */
  async create(name: string, createdBy: string | null): Promise<{ id: string; token: string }> {
    const token = newToken("pwa");
    const [row] = await this.db
      .insert(agentTokens)
      .values({ name, tokenHash: hashToken(token), createdBy })
      .returning({ id: agentTokens.id });
    this.#cache.clear();
    return { id: row!.id, token };
  }

  async list(): Promise<AgentTokenInfo[]> {
    const rows = await this.db.select().from(agentTokens).orderBy(desc(agentTokens.createdAt));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    }));
  }

  /** Revokes a token; returns false when there was none with that id. */
  async delete(id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(agentTokens)
      .where(eq(agentTokens.id, id))
      .returning({ id: agentTokens.id });
    this.#cache.clear();
    return deleted.length > 0;
  }
}
