import { DataDirLocked, lockDataDir } from "../db/data-lock.ts";
import { openDb, pgliteDir } from "../db/open.ts";
import { loadShopConfig, type ShopConfig } from "./config.ts";
import { Keyring } from "./crypto/keyring.ts";
import { loadMasterKey } from "./crypto/master-key.ts";
import { type RotationResult, rotateKeys } from "./crypto/rotate.ts";

const usage = `Usage: peakwatch keys rotate

Makes a new key-encryption key and re-wraps every stored data key under it, while the shop
runs. With SHOP_DATABASE_URL/DATABASE_URL it works on that database directly. With the
embedded database, whose files only the running shop may open, it asks the running shop
(PEAKWATCH_SHOP_URL, bearer SHOP_ADMIN_TOKEN) and opens the files itself only when no shop
answers.`;

/** Asks a running shop to rotate; undefined when no shop answers at that address. */
async function rotateThroughShop(
  shopUrl: string,
  token: string | undefined,
): Promise<RotationResult | undefined> {
  let response: Response;
  try {
    response = await fetch(new URL("/admin/keys/rotate", shopUrl), {
      method: "POST",
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(120_000),
    });
  } catch {
    return undefined;
  }
  if (!response.ok)
    throw new Error(`the shop at ${shopUrl} refused: ${response.status} ${await response.text()}`);
  return (await response.json()) as RotationResult;
}

/** Rotates on the database itself (Postgres, or embedded files no process holds). */
async function rotateDirectly(config: ShopConfig, dataDir: string): Promise<RotationResult> {
  const masterKey = loadMasterKey({
    fromEnv: config.PEAKWATCH_MASTER_KEY,
    dataDir: config.PEAKWATCH_DATA_DIR,
  });
  const database = await openDb({ domains: ["shop"], url: config.databaseUrl, dataDir, poolSize: 2 });
  try {
    const keyring = new Keyring(database.db, masterKey);
    await keyring.init();
    return await rotateKeys(database.db, keyring);
  } finally {
    await database.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] !== "rotate" || argv.length > 1) {
    console.error(usage);
    return argv[0] === "--help" || argv[0] === "-h" ? 0 : 2;
  }
  const config = loadShopConfig();
  let result: RotationResult | undefined;
  if (!config.databaseUrl) {
    const shopUrl =
      process.env.PEAKWATCH_SHOP_URL ?? `http://${config.PEAKWATCH_HOST}:${config.PEAKWATCH_SHOP_PORT}`;
    result = await rotateThroughShop(shopUrl, config.SHOP_ADMIN_TOKEN);
  }
  if (!result) {
    // No shop answered: open the files ourselves, unless a live process holds them (a hung shop
    // would never see the new keys and both would write the same files).
    const dataDir = pgliteDir(config.PEAKWATCH_DATA_DIR, "shop");
    let lock: { release(): void } | undefined;
    if (!config.databaseUrl) {
      try {
        lock = lockDataDir(dataDir, { owner: "peakwatch keys" });
      } catch (error) {
        if (!(error instanceof DataDirLocked)) throw error;
        console.error(
          `peakwatch keys: refused: ${error.message} but did not answer; try again when it answers, or stop it first`,
        );
        return 1;
      }
    }
    try {
      result = await rotateDirectly(config, dataDir);
    } finally {
      lock?.release();
    }
  }
  console.log(`new key-encryption key ${result.keyId}; re-wrapped ${result.rewrapped} data keys`);
  if (result.unreadable.length > 0) {
    console.error(
      `warning: ${result.unreadable.length} stored values could not be decrypted and were left as they are: ${result.unreadable.slice(0, 20).join(", ")}`,
    );
  }
  return 0;
}
