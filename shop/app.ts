import { Hono } from "hono";
import type { Db } from "../db/open.ts";
import type { ShopConfig } from "./config.ts";

export interface ShopDeps {
  db: Db;
  config: ShopConfig;
}

/** Builds the shop's Hono app; `main.ts` listens. */
export function createShopApp(_deps: ShopDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  return app;
}
