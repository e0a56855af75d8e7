import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { PROJECT_HEADER } from "../../core/api/projects.ts";
import { AppError } from "../../core/http/app-error.ts";
import { loggable } from "../../db/loggable-error.ts";
import { type PrincipalResolver, resolvePrincipal } from "../http/auth.ts";
import { originAllowed } from "../http/origin.ts";
import type { Projects } from "../projects/projects.ts";
import { requestedProject, resolveProject } from "../projects/scope.ts";
import type { LiveHub } from "./live-hub.ts";

export const LIVE_PATH = "/api/v1/live";

export interface LiveUpgradeOptions {
  live: LiveHub;
  resolvers: ReadonlyArray<PrincipalResolver>;
  maxClients: number;
  /** Browser origins besides the hub's own that may open the socket (HUB_ALLOWED_ORIGINS). */
  allowedOrigins?: ReadonlyArray<string>;
  /** Resolves the project the socket carries (`x-peakwatch-project` header or `?project=`). */
  projects: Projects;
  /** Largest message a client may send, bytes. */
  maxPayload?: number;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const code =
    status === 401
      ? "unauthorized"
      : status === 403
        ? "forbidden"
        : status === 404
          ? "not_found"
          : status === 400
            ? "bad_request"
            : "unavailable";
  const body = JSON.stringify({ code, message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Serves the live WebSocket on the hub's own HTTP server: refuses pages of other origins,
 * authenticates the upgrade (session cookie or bearer token), enforces the client limit, then hands the socket to the LiveHub.
 */
export function attachLiveUpgrade(server: Server, options: LiveUpgradeOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://hub").pathname;
      if (path !== LIVE_PATH) return refuse(socket, 404, "Not Found");
      // The session cookie rides along on a cross-site WebSocket too: only our own pages may use it.
      if (!originAllowed(req.headers.origin, req.headers.host, options.allowedOrigins ?? [])) {
        return refuse(socket, 403, "Forbidden");
      }
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
        console.error("hub: live upgrade failed:", loggable(error));
        return refuse(socket, 503, "Service Unavailable");
      }
      if (!principal) return refuse(socket, 401, "Unauthorized");
      // One socket, one project: a project the caller is not a member of does not exist (404).
      let projectId: string;
      try {
        const header = req.headers[PROJECT_HEADER];
        const slug = requestedProject(
          Array.isArray(header) ? header[0] : header,
          new URL(req.url ?? "/", "http://hub").searchParams.get("project") ?? undefined,
        );
        projectId = (await resolveProject(options.projects, principal, slug)).project.id;
      } catch (error) {
        if (error instanceof AppError && error.status === 404) return refuse(socket, 404, "Not Found");
        if (error instanceof AppError && error.status === 400) return refuse(socket, 400, "Bad Request");
        console.error("hub: live upgrade failed:", loggable(error));
        return refuse(socket, 503, "Service Unavailable");
      }
      wss.handleUpgrade(req, socket, head, (ws) => options.live.add(ws, principal, projectId));
    })();
  });
  return wss;
}
