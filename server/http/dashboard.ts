import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { HubEnv } from "./env.ts";

/** Where `peakwatch build-dashboard` writes the bundle. */
export const defaultDashboardDir = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Peakwatch</title></head>
<body style="font:16px system-ui,sans-serif;margin:3rem">
<h1>Peakwatch hub</h1>
<p>The dashboard has not been built yet. Run <code>node bin/peakwatch.js build-dashboard</code>
(or <code>npm install</code>, which builds it) and reload.</p>
<p>The REST API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>; metrics at <a href="/metrics">/metrics</a>.</p>
</body></html>`;

async function fileIn(root: string, path: string): Promise<string | undefined> {
  const file = resolve(root, `.${path}`);
  // Never outside the bundle, whatever the path says.
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the dashboard's pages may load: only their own bundle (no inline or foreign script, so
 * injected markup cannot run), API calls and the live socket to the hub itself, and no
 * framing by other sites (clickjacking). Lit templates may carry style attributes.
 */
const dashboardPolicy = secureHeaders({
  xFrameOptions: "DENY",
  strictTransportSecurity: false,
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
});

/** The decoded path, or undefined when its percent-encoding is malformed (a 404, never a 500). */
function decodedPath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Serves the built dashboard at `/`: files from dist/, hashed assets cached for a year,
 * any other GET falls back to index.html (client-side routes). Without a build, a page
 * saying how to build it.
 */
export function dashboardRoutes(dir: string = defaultDashboardDir): Hono<HubEnv> {
  const root = resolve(dir);
  const app = new Hono<HubEnv>();
  app.use("*", dashboardPolicy);
  app.get("*", async (c, next) => {
    const path = decodedPath(c.req.path);
    if (path === undefined || path.startsWith("/api/") || path === "/metrics" || path === "/healthz")
      return next();
    // The bundle uses relative URLs, so a deep link asks for …/assets/x from its own folder.
    const assetIndex = path.lastIndexOf("/assets/");
    const file =
      (await fileIn(root, path === "/" ? "/index.html" : path)) ??
      (assetIndex > 0 ? await fileIn(root, path.slice(assetIndex)) : undefined) ??
      (extname(path) === "" ? await fileIn(root, "/index.html") : undefined);
    if (!file) {
      if (!(await fileIn(root, "/index.html"))) return c.html(notBuilt);
      return next();
    }
    const body = await readFile(file);
    const immutable = file.includes(`${sep}assets${sep}`);
    return c.body(body, 200, {
      "content-type": types[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
  return app;
}
