import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../dashboard/", import.meta.url));
const built = fileURLToPath(new URL("../dashboard/dist/index.html", import.meta.url));

/** Builds the dashboard with Vite; `--if-needed` skips when a build exists. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--if-needed") && existsSync(built)) return 0;
  if (!existsSync(`${root}vite.config.ts`)) return 0; // no dashboard yet
  const { build } = await import("vite");
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: "warn" });
  console.log("dashboard built");
  return 0;
}

/** True when the dashboard bundle exists. */
export function dashboardBuilt(): boolean {
  return existsSync(built);
}
