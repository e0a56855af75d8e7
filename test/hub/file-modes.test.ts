import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb, pgliteDir } from "../../db/open.ts";
import { loadMasterKey as loadHubKey } from "../../server/notify/master-key.ts";
import { loadMasterKey as loadShopKey } from "../../shop/crypto/master-key.ts";

/** Every path under `dir` that another local user could read, write or enter. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

describe("data directory modes (issue 14 finding 10)", () => {
  const root = mkdtempSync(join(tmpdir(), "pw-modes-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("makes the data directory 0700 and everything the hub and shop keep there private", async () => {
    chmodSync(root, 0o755);
    // A database left by an older version with loose modes is tightened too.
    mkdirSync(join(root, "hub"), { mode: 0o755 });
    writeFileSync(join(root, "hub", "leftover"), "x", { mode: 0o666 });
    chmodSync(join(root, "hub", "leftover"), 0o666);
    const hub = await openDb({ domains: ["hub"], dataDir: pgliteDir(root, "hub") });
    const shop = await openDb({ domains: ["shop"], dataDir: pgliteDir(root, "shop") });
    loadHubKey(undefined, root);
    loadShopKey({ fromEnv: undefined, dataDir: root });
    await hub.close();
    await shop.close();
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(openToOthers(root)).toEqual([]);
  });
});
