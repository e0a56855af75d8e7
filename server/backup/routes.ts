import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Hono } from "hono";
import type { BackupList } from "../../core/api/backups.ts";
import { AppError } from "../../core/http/app-error.ts";
import { requireRole } from "../http/auth.ts";
import type { HubEnv } from "../http/env.ts";
import { type BackupScheduler, backupNamePattern } from "./scheduler.ts";

export interface BackupRouteDeps {
  scheduler: BackupScheduler;
  dir: string;
  intervalHours: number;
  keep: number;
  driver: "pglite" | "postgres";
}

/** Admin only: GET /backups (status and archives), POST /backups (now), GET /backups/:name (download). */
export function backupRoutes(deps: BackupRouteDeps): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use("/backups", requireRole("admin"));
  app.use("/backups/*", requireRole("admin"));

  const view = (): BackupList => ({
    intervalHours: deps.intervalHours,
    keep: deps.keep,
    driver: deps.driver,
    status: { ...deps.scheduler.status },
    backups: deps.scheduler.list(),
  });

  app.get("/backups", (c) => c.json(view()));

  app.post("/backups", async (c) => {
    try {
      const entry = await deps.scheduler.backupNow();
      return c.json(entry, 201);
    } catch (error) {
      throw new AppError("unavailable", `the backup failed: ${(error as Error).message}`, { cause: error });
    }
  });

  app.get("/backups/:name", (c) => {
    const name = c.req.param("name");
    if (!backupNamePattern.test(name)) {
      throw new AppError("bad_request", "name: not a backup name (hub-YYYYMMDDTHHMMSSZ.pwbackup)");
    }
    const path = join(deps.dir, name);
    if (!existsSync(path)) throw new AppError("not_found", `no backup ${name}`);
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${name}"`,
    });
  });
  return app;
}
