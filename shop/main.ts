import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { openDb, pgliteDir } from "../db/open.ts";
import { createShop } from "./app.ts";
import { loadShopConfig } from "./config.ts";
import { loadMasterKey } from "./crypto/master-key.ts";

/** Runs the shop until SIGINT/SIGTERM. */
export async function main(_argv: string[]): Promise<number> {
  const config = loadShopConfig();
  const masterKey = loadMasterKey({
    fromEnv: config.PEAKWATCH_MASTER_KEY,
    dataDir: config.PEAKWATCH_DATA_DIR,
  });
  const database = await openDb({
    domains: ["shop"],
    url: config.databaseUrl,
    dataDir: pgliteDir(config.PEAKWATCH_DATA_DIR, "shop"),
  });
  const shop = await createShop({ db: database.db, config, masterKey });
  const server = serve({
    fetch: shop.app.fetch,
    port: config.PEAKWATCH_SHOP_PORT,
    hostname: config.PEAKWATCH_HOST,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${config.PEAKWATCH_SHOP_PORT} is already in use (set PEAKWATCH_SHOP_PORT to another port)`,
            )
          : error,
      ),
    );
  });
  const { port } = server.address() as AddressInfo;
  console.log(
    `shop listening on http://${config.PEAKWATCH_HOST}:${port} (database: ${database.driver} ${database.location})`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  // Stop accepting, and drop idle keep-alive connections so the process can exit.
  server.close();
  (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  await shop.outbox.idle();
  shop.close();
  await database.close();
  return 0;
}
