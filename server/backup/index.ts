import { isAbsolute, join, resolve } from "node:path";
import type { Registry } from "prom-client";
import { deriveBackupKey } from "../../core/backup/archive.ts";
import { componentDomains, domains } from "../../db/domains.ts";
import type { HubConfig } from "../config.ts";
import { loadMasterKey } from "../notify/master-key.ts";
import { BackupError } from "./archive-file.ts";
import { openPgliteSource } from "./database-dump.ts";
import { registerBackupMetrics } from "./metrics.ts";
import { pgDumpStream } from "./postgres-tools.ts";
import { backupRoutes } from "./routes.ts";
import { BackupScheduler } from "./scheduler.ts";

export interface HubBackupDeps {
  config: HubConfig;
  driver: "pglite" | "postgres";
  /** The open PGlite database's dump (PGlite only). */
  dumpDataDir?: (() => Promise<Blob>) | undefined;
  registry: Registry;
  isLeader: () => boolean | Promise<boolean>;
  now: () => number;
}

/** The hub's backups: a scheduler over its own database, its admin routes and its metrics. */
export function createHubBackups(deps: HubBackupDeps) {
  const { config } = deps;
  const dir = config.HUB_BACKUP_DIR
    ? isAbsolute(config.HUB_BACKUP_DIR)
      ? config.HUB_BACKUP_DIR
      : resolve(config.HUB_BACKUP_DIR)
    : join(config.PEAKWATCH_DATA_DIR, "backups");
  const masterKey = loadMasterKey(config.PEAKWATCH_MASTER_KEY, config.PEAKWATCH_DATA_DIR).key;
  const schemas = [...componentDomains.hub];
  const scheduler = new BackupScheduler({
    component: "hub",
    dir,
    intervalMs: config.HUB_BACKUP_INTERVAL_HOURS * 3_600_000,
    keep: config.HUB_BACKUP_KEEP,
    key: deriveBackupKey(masterKey),
    isLeader: deps.isLeader,
    now: deps.now,
    log: (line) => console.log(line),
    source: async () => {
      if (deps.driver === "postgres" && config.databaseUrl) {
        const tables = schemas.map((name) => domains[name].migrationsTable);
        return {
          component: "hub",
          driver: "postgres",
          domains: schemas,
          stream: pgDumpStream(config.databaseUrl, schemas, tables),
        };
      }
      if (!deps.dumpDataDir) throw new BackupError("this hub's database cannot be dumped (in-memory PGlite)");
      return openPgliteSource("hub", deps.dumpDataDir);
    },
  });
  registerBackupMetrics(deps.registry, scheduler, deps.now);
  const routes = backupRoutes({
    scheduler,
    dir,
    intervalHours: config.HUB_BACKUP_INTERVAL_HOURS,
    keep: config.HUB_BACKUP_KEEP,
    driver: deps.driver,
  });
  return { scheduler, routes, dir };
}
