import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bin/up/ports.ts";
import { startPeakwatch } from "../helpers/up.ts";

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "pw-users-"));
const env = { ...process.env, PEAKWATCH_DATA_DIR: dataDir, DATABASE_URL: "", HUB_DATABASE_URL: "" };
// PGlite start-up plus migrations takes seconds alone, and tens of seconds on a loaded 2-core machine.
const cli = (...args: string[]) =>
  run("node", ["bin/peakwatch.js", "users", ...args], { env, timeout: 110_000 });

describe("peakwatch users", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds a user with a role and lists it", async () => {
    const added = await cli("add", "Ops@Example.com", "--role", "ops");
    expect(added.stdout).toMatch(/user ops@example.com is ops/);
    const listed = await cli("list");
    expect(listed.stdout).toMatch(/ops@example.com\tops/);
  }, 240_000);

  it("refuses an unknown role with exit code 2", async () => {
    await expect(cli("add", "x@example.com", "--role", "root")).rejects.toMatchObject({ code: 2 });
  });

  it("refuses to write beside a running hub on the embedded database, and says where to go instead", async () => {
    const port = await freePort();
    const hub = startPeakwatch(["hub"], {
      PEAKWATCH_DATA_DIR: dataDir,
      PEAKWATCH_HUB_PORT: String(port),
      DATABASE_URL: "",
      HUB_DATABASE_URL: "",
      HUB_SCRAPE_INTERVAL_SECONDS: "0",
    });
    try {
      await hub.waitFor(/hub listening on/, 110_000);
      // Before the fix this exited 0 and wrote into the hub's open PGlite files: the hub never saw it.
      const refused = await cli(
        "add",
        "late@example.com",
        "--role",
        "viewer",
        "--expires",
        "2020-01-01",
      ).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused, "users add beside a running hub must fail").toBeDefined();
      expect(refused!.code).toBe(1);
      expect(refused!.stderr).toMatch(/in use by the hub \(pid \d+, http:\/\/127\.0\.0\.1:\d+\)/);
      expect(refused!.stderr).toMatch(/Users view|POST \/api\/v1\/users/);
    } finally {
      hub.proc.kill("SIGTERM");
    }
    expect(await hub.exited).toBe(0);
    // Once the hub is gone the directory is free again.
    const listed = await cli("list");
    expect(listed.stdout).toMatch(/ops@example.com\tops/);
    expect(listed.stdout).not.toMatch(/late@example.com/);
  }, 300_000);
});
