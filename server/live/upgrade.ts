import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { AppError } from "../../core/http/app-error.ts";
import { type PrincipalResolver, resolvePrincipal } from "../http/auth.ts";
import type { LiveHub } from "./live-hub.ts";

export const LIVE_PATH = "/api/v1/live";

export interface LiveUpgradeOptions {
  live: LiveHub;
  resolvers: ReadonlyArray<PrincipalResolver>;
  maxClients: number;
  /** Largest message a client may send, bytes. */
  maxPayload?: number;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ code: status === 401 ? "unauthorized" : "unavailable", message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Serves the live WebSocket on the hub's own HTTP server: authenticates the upgrade (session
 * cookie or bearer token), enforces the client limit, then hands the socket to the LiveHub.
 */
export function attachLiveUpgrade(server: Server, options: LiveUpgradeOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://hub").pathname;
      if (path !== LIVE_PATH) return refuse(socket, 404, "Not Found");
      if (options.live.clientCount >= options.maxClients) return refuse(socket, 503, "Too Many Clients");
      let principal: Awaited<ReturnType<typeof resolvePrincipal>>;
      try {
        principal = await resolvePrincipal(options.resolvers, {
          header: (name) => {
            const value = req.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(", ") : value;
          },
        });
      } catch (error) {
        if (error instanceof AppError && error.status === 401) return refuse(socket, 401, "Unauthorized");
        console.error("hub: live upgrade failed:", error);
        return refuse(socket, 503, "Service Unavailable");
      }
      if (!principal) return refuse(socket, 401, "Unauthorized");
      wss.handleUpgrade(req, socket, head, (ws) => options.live.add(ws, principal));
    })();
  });
  return wss;
}
