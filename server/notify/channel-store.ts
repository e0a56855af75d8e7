import { randomUUID } from "node:crypto";
import { and, asc, eq, notInArray } from "drizzle-orm";
import type { ChannelInput, ChannelKind, ChannelView } from "../../core/channel.ts";
import { decryptField, encryptField, type Kek } from "../../core/crypto/envelope.ts";
import { AppError } from "../../core/http/app-error.ts";
import type { Db } from "../../db/open.ts";
import { type ChannelRow, channels } from "../../db/schema/alerting.ts";

type Source = ChannelView["source"];

/** The parts of a channel that are secret; stored encrypted, never returned by the API. */
interface Secret {
  headers?: Record<string, string>;
  smtpUrl?: string;
}

function split(input: ChannelInput): { settings: Record<string, unknown>; secret: Secret | null } {
  switch (input.kind) {
    case "webhook":
    case "alertmanager": {
      const hasHeaders = Object.keys(input.headers).length > 0;
      return { settings: { url: input.url }, secret: hasHeaders ? { headers: input.headers } : null };
    }
    case "email":
      return {
        settings: { to: input.to, ...(input.from ? { from: input.from } : {}) },
        secret: input.smtpUrl ? { smtpUrl: input.smtpUrl } : null,
      };
  }
}

const place = (id: string) => ({ table: "alerting.channels", column: "secret", rowId: id });

/** Channels with their secrets sealed by envelope encryption bound to the row. */
export class ChannelStore {
  constructor(
    private readonly db: Db,
    private readonly kek: Kek,
    private readonly now: () => number,
  ) {}

  view(row: ChannelRow): ChannelView {
    return {
      id: row.id,
      name: row.name,
      kind: row.kind as ChannelKind,
      settings: row.settings as Record<string, unknown>,
      hasSecret: row.secret !== null,
      source: row.source as Source,
      createdAt: row.createdAt,
    };
  }

  async rows(): Promise<ChannelRow[]> {
    return this.db.select().from(channels).orderBy(asc(channels.name));
  }

  /** The channel as declared, secrets decrypted (for building notifiers only). */
  reveal(row: ChannelRow): ChannelInput {
    const secret: Secret = row.secret
      ? JSON.parse(
          decryptField(row.secret, place(row.id), (id) => (id === this.kek.id ? this.kek.key : undefined)),
        )
      : {};
    const settings = row.settings as Record<string, unknown>;
    return {
      name: row.name,
      kind: row.kind,
      ...settings,
      headers: secret.headers ?? {},
      smtpUrl: secret.smtpUrl,
    } as unknown as ChannelInput;
  }

  /** Creates a channel; throws conflict when the name is taken. */
  async create(input: ChannelInput, source: Source = "api"): Promise<ChannelView> {
    const [taken] = await this.db
      .select({ id: channels.id })
      .from(channels)
      .where(eq(channels.name, input.name));
    if (taken) throw new AppError("conflict", `a channel named ${input.name} exists`);
    return this.view(await this.write(randomUUID(), input, source, true));
  }

  async remove(id: string): Promise<void> {
    const gone = await this.db.delete(channels).where(eq(channels.id, id)).returning({ id: channels.id });
    if (gone.length === 0) throw new AppError("not_found", `no channel ${id}`);
  }

  /**
   * Makes the channels declared at start-up (env or config file) exactly `inputs`: upserts them
   * by name and deletes that source's others. Channels created through the API are left alone.
   */
  async declare(source: Exclude<Source, "api">, inputs: ReadonlyArray<ChannelInput>): Promise<void> {
    for (const input of inputs) {
      const [existing] = await this.db.select().from(channels).where(eq(channels.name, input.name));
      await this.write(existing?.id ?? randomUUID(), input, source, !existing);
    }
    const names = inputs.map((i) => i.name);
    const scope = eq(channels.source, source);
    await this.db
      .delete(channels)
      .where(names.length > 0 ? and(scope, notInArray(channels.name, names)) : scope);
  }

  private async write(id: string, input: ChannelInput, source: Source, insert: boolean): Promise<ChannelRow> {
    const { settings, secret } = split(input);
    const sealed = secret ? encryptField(JSON.stringify(secret), place(id), this.kek) : null;
    const values = { name: input.name, kind: input.kind, settings, secret: sealed, source };
    const [row] = insert
      ? await this.db
          .insert(channels)
          .values({ id, ...values, createdAt: this.now() })
          .returning()
      : await this.db.update(channels).set(values).where(eq(channels.id, id)).returning();
    return row!;
  }
}
