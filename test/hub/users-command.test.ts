import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "pw-users-"));
const env = { ...process.env, PEAKWATCH_DATA_DIR: dataDir, DATABASE_URL: "", HUB_DATABASE_URL: "" };
const cli = (...args: string[]) =>
  run("node", ["bin/peakwatch.js", "users", ...args], { env, timeout: 60_000 });

describe("peakwatch users", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds a user with a role and lists it", async () => {
    const added = await cli("add", "Ops@Example.com", "--role", "ops");
    expect(added.stdout).toMatch(/user ops@example.com is ops/);
    const listed = await cli("list");
    expect(listed.stdout).toMatch(/ops@example.com\tops/);
  });

  it("refuses an unknown role with exit code 2", async () => {
    await expect(cli("add", "x@example.com", "--role", "root")).rejects.toMatchObject({ code: 2 });
  });
});
