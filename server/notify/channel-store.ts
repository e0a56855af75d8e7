import { randomUUID } from "node:crypto";
import { and, asc, eq, notInArray } from "drizzle-orm";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import {
  type ChannelInput,
  ChannelInputSchema,
  type ChannelKind,
  type ChannelView,
  secretFields,
} from "../../core/channel.ts";
import { decryptField, encryptField, type Kek } from "../../core/crypto/envelope.ts";
import { AppError } from "../../core/http/app-error.ts";
import { describeZodError } from "../../core/http/validate.ts";
import type { Db } from "../../db/open.ts";
import { type ChannelRow, channels } from "../../db/schema/alerting.ts";
import { urlHost } from "./redact.ts";

type Source = ChannelView["source"];

/** Splits a channel into what may be shown and what is sealed (core/channel.ts secretFields). */
function split(input: ChannelInput): {
  settings: Record<string, unknown>;
  secret: Record<string, unknown> | null;
} {
  const secretNames = new Set(secretFields[input.kind]);
  const settings: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === "name" || key === "kind" || key === "enabled" || value === undefined) continue;
    (secretNames.has(key) ? secret : settings)[key] = value;
  }
  return { settings, secret: Object.keys(secret).length > 0 ? secret : null };
}

const place = (id: string) => ({ table: "alerting.channels", column: "secret", rowId: id });

/**
 * An edit: the declared fields, where secret fields left out (or empty) keep their stored value,
 * so the dashboard can save a channel without ever having been shown its secrets.
 */
export type ChannelPatch = Record<string, unknown>;

/** Channels with their secrets (URLs included) sealed by envelope encryption bound to the row. */
export class ChannelStore {
  constructor(
    private readonly db: Db,
    private readonly kek: Kek,
    private readonly now: () => number,
  ) {}

  view(row: ChannelRow): ChannelView {
    const settings = { ...(row.settings as Record<string, unknown>) };
    // Rows written before URLs were sealed keep theirs in settings: never show it whole.
    if (typeof settings.url === "string") settings.url = undefined;
    const revealed = row.secret ? this.unseal(row) : {};
    const url = revealed.url ?? (row.settings as Record<string, unknown>).url;
    if (typeof url === "string") settings.urlHost = urlHost(url);
    return {
      id: row.id,
      name: row.name,
      kind: row.kind as ChannelKind,
      enabled: row.enabled,
      settings: JSON.parse(JSON.stringify(settings)),
      hasSecret: row.secret !== null,
      source: row.source as Source,
      createdAt: row.createdAt,
    };
  }

  /** The project's channels. */
  async rows(projectId: string): Promise<ChannelRow[]> {
    return this.db
      .select()
      .from(channels)
      .where(eq(channels.projectId, projectId))
      .orderBy(asc(channels.name));
  }

  /** Every project's channels: the dispatcher's view, which keeps each project's apart itself. */
  async allRows(): Promise<ChannelRow[]> {
    return this.db.select().from(channels).orderBy(asc(channels.name));
  }

  /** Throws not_found, also for another project's channel. */
  async row(id: string, projectId: string): Promise<ChannelRow> {
    const [row] = await this.db
      .select()
      .from(channels)
      .where(and(eq(channels.id, id), eq(channels.projectId, projectId)));
    if (!row) throw new AppError("not_found", `no channel ${id}`);
    return row;
  }

  private unseal(row: ChannelRow): Record<string, unknown> {
    if (!row.secret) return {};
    return JSON.parse(
      decryptField(row.secret, place(row.id), (id) => (id === this.kek.id ? this.kek.key : undefined)),
    ) as Record<string, unknown>;
  }

  /** The channel as declared, secrets decrypted (for building notifiers only). */
  reveal(row: ChannelRow): ChannelInput {
    return {
      ...(row.settings as Record<string, unknown>),
      ...this.unseal(row),
      name: row.name,
      kind: row.kind,
      enabled: row.enabled,
    } as unknown as ChannelInput;
  }

  /** Creates a channel; throws conflict when the name is taken. */
  async create(input: ChannelInput, source: Source, projectId: string): Promise<ChannelView> {
    await this.assertFree(input.name, projectId);
    return this.view(await this.write(randomUUID(), input, source, true, projectId));
  }

  /**
   * Applies an edit: secret fields not given keep their stored value. Throws bad_request naming
   * the field when the result is not a valid channel, not_found, or conflict on a taken name.
   */
  async update(id: string, patch: ChannelPatch, projectId: string): Promise<ChannelView> {
    const row = await this.row(id, projectId);
    const current = this.reveal(row) as unknown as Record<string, unknown>;
    const kind = (patch.kind ?? row.kind) as ChannelKind;
    if (kind !== row.kind) throw new AppError("bad_request", "body.kind: a channel's kind cannot change");
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) {
      const keep =
        secretFields[kind].includes(key) && (value === "" || value === null || value === undefined);
      if (!keep) merged[key] = value;
    }
    const parsed = ChannelInputSchema.safeParse(merged);
    if (!parsed.success) throw new AppError("bad_request", describeZodError(parsed.error, "body"));
    if (parsed.data.name !== row.name) await this.assertFree(parsed.data.name, projectId);
    return this.view(await this.write(id, parsed.data, row.source as Source, false, projectId));
  }

  /** Deletes a channel of the project; returns what it was (for the audit log). Throws not_found. */
  async remove(id: string, projectId: string): Promise<{ id: string; name: string; kind: string }> {
    const [gone] = await this.db
      .delete(channels)
      .where(and(eq(channels.id, id), eq(channels.projectId, projectId)))
      .returning({ id: channels.id, name: channels.name, kind: channels.kind });
    if (!gone) throw new AppError("not_found", `no channel ${id}`);
    return gone;
  }

  /**
   * Makes the channels declared at start-up (env or config file) exactly `inputs`: upserts them
   * by name and deletes that source's others. Channels created through the API are left alone.
   * Declared channels are the default project's.
   */
  async declare(source: Exclude<Source, "api">, inputs: ReadonlyArray<ChannelInput>): Promise<void> {
    for (const input of inputs) {
      const [existing] = await this.db
        .select()
        .from(channels)
        .where(and(eq(channels.projectId, DEFAULT_PROJECT_ID), eq(channels.name, input.name)));
      await this.write(existing?.id ?? randomUUID(), input, source, !existing, DEFAULT_PROJECT_ID);
    }
    const names = inputs.map((i) => i.name);
    const scope = and(eq(channels.projectId, DEFAULT_PROJECT_ID), eq(channels.source, source))!;
    await this.db
      .delete(channels)
      .where(names.length > 0 ? and(scope, notInArray(channels.name, names)) : scope);
  }

  private async assertFree(name: string, projectId: string): Promise<void> {
    const [taken] = await this.db
      .select({ id: channels.id })
      .from(channels)
      .where(and(eq(channels.projectId, projectId), eq(channels.name, name)));
    if (taken) throw new AppError("conflict", `a channel named ${name} exists`);
  }

  private async write(
    id: string,
    input: ChannelInput,
    source: Source,
    insert: boolean,
    projectId: string,
  ): Promise<ChannelRow> {
    const { settings, secret } = split(input);
    const sealed = secret ? encryptField(JSON.stringify(secret), place(id), this.kek) : null;
    const values = {
      name: input.name,
      kind: input.kind,
      enabled: input.enabled,
      settings,
      secret: sealed,
      source,
    };
    const [row] = insert
      ? await this.db
          .insert(channels)
          .values({ id, projectId, ...values, createdAt: this.now() })
          .returning()
      : await this.db
          .update(channels)
          .set(values)
          .where(and(eq(channels.id, id), eq(channels.projectId, projectId)))
          .returning();
    return row!;
  }
}
