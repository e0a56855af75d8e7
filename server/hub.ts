import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Db } from "../db/open.ts";
import { createAlerting } from "./alerting/index.ts";
import { createHubApp } from "./app.ts";
import { AgentTokens } from "./auth/agent-tokens.ts";
import type { HubConfig } from "./config.ts";

export interface StartHubOptions {
  db: Db;
  driver: "pglite" | "postgres";
  config: HubConfig;
  now?: () => number;
}

/** A listening hub: its URL and how to stop it. */
export interface RunningHub {
  url: string;
  port: number;
  agents: AgentTokens;
  close(): Promise<void>;
}

/**
 * Wires the hub's parts (stores, auth, live push, alerting, background jobs) into one HTTP
 * server and starts listening. Throws when the port is taken.
 */
export async function startHub(options: StartHubOptions): Promise<RunningHub> {
  const { db, config } = options;
  const now = options.now ?? Date.now;
  const agents = new AgentTokens(db, config.PEAKWATCH_AGENT_TOKEN, now);
  const alerting = createAlerting({
    db,
    config,
    now,
    live: { publishAlert: async () => 0 },
  });
  const app = createHubApp({
    db,
    config,
    agents,
    apiRoutes: [alerting.routes],
    ingestListeners: [
      {
        windowsStored: (windows) =>
          alerting.dataIngested("windows", [...new Set(windows.map((w) => w.runId))]),
        probeResultsStored: () => alerting.dataIngested("probe-results", []),
      },
    ],
  });
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
  alerting.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${config.PEAKWATCH_HOST}:${port}`,
    port,
    agents,
    close: async () => {
      await alerting.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
    },
  };
}
