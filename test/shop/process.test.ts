import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ProductPage } from "../../core/shop-api.ts";
import { masterKeyPath } from "../../shop/crypto/master-key.ts";

/** Starts `peakwatch shop` on a free port and resolves with its URL once it listens. */
function startShopProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["bin/peakwatch.js", "shop"], {
    env: { ...process.env, DATABASE_URL: "", SHOP_DATABASE_URL: "", PEAKWATCH_SHOP_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`shop did not start within 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /shop listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`shop exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

describe("the shop process (embedded database)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pw-shop-process-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("seeds once, keeps its generated master key private, and restarts on the same data", async () => {
    const env = { PEAKWATCH_DATA_DIR: dataDir, PEAKWATCH_MASTER_KEY: "", SHOP_SEED_CUSTOMERS: "200" };
    const first = await startShopProcess(env);
    try {
      expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ status: "ok" });
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
      const page = (await (await fetch(`${first.url}/api/products?pageSize=1`)).json()) as ProductPage;
      expect(page.total).toBe(1200);
      // Without SHOP_TEST_HOOKS_TOKEN the test hooks do not exist at all.
      expect((await fetch(`${first.url}/__test/mailbox?to=a@b.c`)).status).toBe(404);
      // Without SHOP_ADMIN_TOKEN the admin API is closed.
      expect((await fetch(`${first.url}/admin/faults`)).status).toBe(401);
    } finally {
      expect(await stop(first.child)).toBe(0);
    }
    const keyFile = masterKeyPath(dataDir);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, "utf8");

    const second = await startShopProcess(env);
    try {
      const page = (await (await fetch(`${second.url}/api/products?pageSize=1`)).json()) as ProductPage;
      expect(page.total).toBe(1200);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
    expect(readFileSync(keyFile, "utf8")).toBe(key);
  }, 300_000); // two cold starts of an on-disk PGlite: slow on a loaded 2-core machine
});
