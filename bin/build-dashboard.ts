import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../dashboard/", import.meta.url));
const built = `${root}dist/index.html`;

/**
 * Builds the dashboard with Vite in a child process (a failing build cannot take the caller
 * down, and the bundler's memory is returned afterwards). `--if-needed` skips an existing build.
 * Returns 0 on success or when there is nothing to build, 1 when the build failed.
 */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--if-needed") && existsSync(built)) return 0;
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
