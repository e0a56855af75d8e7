import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { buildIsCurrent } from "./build-dashboard.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A dashboard folder whose build and sources carry the given times (seconds since the epoch). */
function dashboard(builtAt: number | undefined, sources: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), "pw-dashboard-"));
  dirs.push(dir);
  for (const [path, at] of Object.entries(sources)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), "x");
    utimesSync(join(dir, path), at, at);
  }
  if (builtAt !== undefined) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "index.html"), "<html>");
    utimesSync(join(dir, "dist", "index.html"), builtAt, builtAt);
  }
  return dir;
}

it("takes a build newer than every source as current", () => {
  expect(buildIsCurrent(dashboard(2000, { "index.html": 1000, "src/elements/pw-app.ts": 1500 }))).toBe(true);
});

it("rebuilds after a pull changed a source, however deep, and when there is no build", () => {
  expect(buildIsCurrent(dashboard(2000, { "index.html": 1000, "src/elements/pw-app.ts": 2500 }))).toBe(false);
  expect(buildIsCurrent(dashboard(2000, { "vite.config.ts": 2001 }))).toBe(false);
  expect(buildIsCurrent(dashboard(undefined, { "src/main.ts": 1000 }))).toBe(false);
});
