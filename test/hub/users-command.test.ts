import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bin/up/ports.ts";
import { openDb, pgliteDir } from "../../db/open.ts";
import { auditLog, sessions, users } from "../../db/schema/hub.ts";
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

  it("refuses an expiry in the past or not a date, naming --expires, and stores nothing", async () => {
    for (const [value, message] of [
      ["2020-01-01", /--expires 2020-01-01T00:00:00\.000Z is in the past: the user could never log in/],
      ["next tuesday", /--expires "next tuesday" is not a date/],
    ] as const) {
      const refused = await cli("add", "past@example.com", "--role", "viewer", "--expires", value).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused?.code).toBe(2);
      expect(refused?.stderr).toMatch(message);
    }
    // Nothing stored: the next test's list shows no past@example.com.
  }, 240_000);

  it("writes its changes to the audit log, ends the user's sessions on a change, and lists expired users as expired", async () => {
    const withDb = async <T>(use: (db: Awaited<ReturnType<typeof openDb>>["db"]) => Promise<T>) => {
      const database = await openDb({ domains: ["hub"], dataDir: pgliteDir(dataDir, "hub") });
      try {
        return await use(database.db);
      } finally {
        await database.close();
      }
    };
    await cli("add", "temp@example.com", "--role", "viewer", "--expires", "2099-01-01");
    await withDb(async (db) => {
      const [user] = await db.select().from(users).where(eq(users.email, "temp@example.com"));
      const at = new Date();
      await db
        .insert(sessions)
        .values({ tokenHash: "h", userId: user!.id, csrfToken: "c", createdAt: at, lastSeenAt: at });
    });
    await cli("add", "temp@example.com", "--role", "ops", "--expires", "2099-01-01");
    await withDb(async (db) => {
      const entries = await db
        .select()
        .from(auditLog)
        .where(eq(auditLog.target, "temp@example.com"))
        .orderBy(auditLog.id);
      expect(entries.map((e) => [e.action, e.detail])).toEqual([
        ["user.created", { role: "viewer", expiresAt: "2099-01-01T00:00:00.000Z" }],
        ["user.changed", { role: { from: "viewer", to: "ops" } }],
      ]);
      expect(entries[0]!.actor).toMatch(/^peakwatch users \(.+\)$/);
      expect(await db.select().from(sessions)).toEqual([]);
      // Expiry passes while the user exists: the list says so.
      await db
        .update(users)
        .set({ expiresAt: new Date(Date.now() - 60_000) })
        .where(eq(users.email, "temp@example.com"));
    });
    const listed = (await cli("list")).stdout;
    expect(listed).toMatch(/temp@example.com\tops\texpired \d{4}-/);
    expect(listed).not.toMatch(/past@example.com/);
  }, 240_000);

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
        "2099-01-01",
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
