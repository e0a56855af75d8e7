import { Hono } from "hono";
import type { Db } from "../db/open.ts";
import type { HubConfig } from "./config.ts";

export interface HubDeps {
  db: Db;
  config: HubConfig;
}

/** Builds the hub's Hono app; `main.ts` listens. */
export function createHubApp(_deps: HubDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  return app;
}
