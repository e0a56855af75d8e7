import { serve } from "@hono/node-server";
import { openDb, pgliteDir } from "../db/open.ts";
import { createHubApp } from "./app.ts";
import { loadHubConfig } from "./config.ts";

/** Runs the hub until SIGINT/SIGTERM. */
export async function main(_argv: string[]): Promise<number> {
  const config = loadHubConfig();
  const database = await openDb({
    domains: ["hub", "alerting"],
    url: config.databaseUrl,
    dataDir: pgliteDir(config.PEAKWATCH_DATA_DIR, "hub"),
  });
  const app = createHubApp({ db: database.db, config });
  const server = serve({
    fetch: app.fetch,
    port: config.PEAKWATCH_HUB_PORT,
    hostname: config.PEAKWATCH_HOST,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${config.PEAKWATCH_HUB_PORT} is already in use (set PEAKWATCH_HUB_PORT to another port)`,
            )
          : error,
      ),
    );
  });
  console.log(
    `hub listening on http://${config.PEAKWATCH_HOST}:${config.PEAKWATCH_HUB_PORT} (database: ${database.driver} ${database.location})`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  server.close();
  await database.close();
  return 0;
}
