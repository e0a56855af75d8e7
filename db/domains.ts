import { fileURLToPath } from "node:url";

/**
 * A migration domain: one drizzle schema module and its own migrations folder and journal,
 * so hub, alerting and shop evolve independently. The hub process migrates hub + alerting,
 * the shop process migrates shop.
 */
export interface Domain {
  name: DomainName;
  /** Schema module, relative to the repository root (for drizzle-kit). */
  schemaFile: string;
  migrationsFolder: string;
  migrationsTable: string;
}

export const domainNames = ["hub", "alerting", "shop", "planning"] as const;
export type DomainName = (typeof domainNames)[number];

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const domains: Record<DomainName, Domain> = Object.fromEntries(
  domainNames.map((name) => [
    name,
    {
      name,
      schemaFile: `db/schema/${name}.ts`,
      migrationsFolder: here(`./migrations/${name}`),
      migrationsTable: `migrations_${name}`,
    },
  ]),
) as Record<DomainName, Domain>;

/** The domains each database-owning process migrates (and a backup of it carries), in order. */
export const componentDomains = {
  hub: ["hub", "alerting", "planning"],
  shop: ["shop"],
} as const satisfies Record<string, ReadonlyArray<DomainName>>;
