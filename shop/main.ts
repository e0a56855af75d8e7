import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { DataDirLocked, lockDataDir } from "../db/data-lock.ts";
import { componentDomains } from "../db/domains.ts";
import { openDb, pgliteDir } from "../db/open.ts";
import { createShop } from "./app.ts";
import { loadShopConfig } from "./config.ts";
import { loadMasterKey } from "./crypto/master-key.ts";

/** Runs the shop until SIGINT/SIGTERM, then shuts down gracefully and resolves 0. */
export async function main(_argv: string[]): Promise<number> {
  const config = loadShopConfig();
  const dataDir = pgliteDir(config.PEAKWATCH_DATA_DIR, "shop");
  let lock: { release(): void } | undefined;
  if (!config.databaseUrl) {
    try {
      lock = lockDataDir(dataDir, {
        owner: "the shop",
        url: `http://${config.PEAKWATCH_HOST}:${config.PEAKWATCH_SHOP_PORT}`,
      });
    } catch (error) {
      if (!(error instanceof DataDirLocked)) throw error;
      console.error(`peakwatch shop: ${error.message}; stop it or use another PEAKWATCH_DATA_DIR`);
      return 1;
    }
  }
  try {
    return await serveShop(config, dataDir);
  } finally {
    lock?.release();
  }
}

async function serveShop(config: ReturnType<typeof loadShopConfig>, dataDir: string): Promise<number> {
  const masterKey = loadMasterKey({
    fromEnv: config.PEAKWATCH_MASTER_KEY,
    dataDir: config.PEAKWATCH_DATA_DIR,
  });
  const database = await openDb({
    domains: componentDomains.shop,
    url: config.databaseUrl,
    dataDir,
    pgliteThread: config.SHOP_PGLITE_THREAD,
  });
  const shop = await createShop({ db: database.db, config, masterKey });
  const server = serve({
    fetch: shop.app.fetch,
    port: config.PEAKWATCH_SHOP_PORT,
    hostname: config.PEAKWATCH_HOST,
  }) as Server;
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
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const started = Date.now();
  console.log(`shop: ${signal}: finishing requests in flight, closing the database…`);
  // Stop accepting and drop idle keep-alive connections; requests in flight finish (cut off after 5 s).
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cutOff = setTimeout(() => server.closeAllConnections(), 5_000).unref();
  await closed;
  clearTimeout(cutOff);
  await shop.outbox.idle();
  shop.close();
  await database.close();
  console.log(`shop: stopped cleanly in ${Date.now() - started} ms`);
  return 0;
}
