import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { loadProbesConfig } from "./config.ts";

/** Runs the probes process until SIGINT/SIGTERM. */
export async function main(_argv: string[]): Promise<number> {
  const config = loadProbesConfig();
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  const server = serve({
    fetch: app.fetch,
    port: config.PEAKWATCH_PROBES_PORT,
    hostname: config.PEAKWATCH_HOST,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${config.PEAKWATCH_PROBES_PORT} is already in use (set PEAKWATCH_PROBES_PORT to another port)`,
            )
          : error,
      ),
    );
  });
  console.log(`probes metrics on http://${config.PEAKWATCH_HOST}:${config.PEAKWATCH_PROBES_PORT}/metrics`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  server.close();
  return 0;
}
