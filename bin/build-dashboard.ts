import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../dashboard/", import.meta.url));

/**
 * True when `dashboardDir` holds a build newer than every source it is built from (src/,
 * index.html, vite.config.ts). A checkout updated with `git pull` has newer sources: without
 * this check `npm start` kept serving the dashboard of before the pull.
 */
export function buildIsCurrent(dashboardDir: string): boolean {
  const index = join(dashboardDir, "dist", "index.html");
  if (!existsSync(index)) return false;
  const builtAt = statSync(index).mtimeMs;
  const newer = (path: string): boolean => {
    const stat = statSync(path);
    if (stat.isDirectory()) return readdirSync(path).some((name) => newer(join(path, name)));
    return stat.mtimeMs > builtAt;
  };
  return !["src", "index.html", "vite.config.ts"]
    .map((name) => join(dashboardDir, name))
    .some((path) => existsSync(path) && newer(path));
}

/**
 * Builds the dashboard with Vite in a child process (a failing build cannot take the caller
 * down, and the bundler's memory is returned afterwards). `--if-needed` skips a build that is
 * newer than its sources. Returns 0 on success or when there is nothing to build, 1 when the
 * build failed.
 */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--if-needed") && buildIsCurrent(root)) return 0;
  if (!existsSync(`${root}vite.config.ts`)) return 0;
  // vite/package.json does not export its bin, so resolve the package and join the path.
  const vite = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn", root], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error("peakwatch: the dashboard build failed (see above)");
    return 1;
  }
  console.log("dashboard built");
  return 0;
}
