import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dashboard bundle. Relative `base` so the hub can serve dist/ at any prefix; `server.proxy`
 * lets `vite dev` talk to a hub on :4000 (PEAKWATCH_HUB_URL) without CORS.
 */
const hubUrl = process.env.PEAKWATCH_HUB_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  root,
  base: "./",
  // Lit's decorators are TypeScript's experimental ones (tsconfig: experimentalDecorators,
  // useDefineForClassFields false); Vite's Oxc transform reads them from the repository tsconfig.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/api": {
        target: hubUrl,
        ws: true,
        changeOrigin: true,
        // The hub refuses writes and sockets from other origins; through this proxy the page is its own.
        headers: { origin: new URL(hubUrl).origin },
      },
    },
  },
});
