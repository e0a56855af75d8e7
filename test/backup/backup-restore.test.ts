import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { componentDomains } from "../../db/domains.ts";
import { type Db, openDb, pgliteDir } from "../../db/open.ts";
import { databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { getProfile, runInProcess, startTestTarget } from "../helpers/loadgen.ts";
import { makeProbeResult } from "../hub/fixtures.ts";

const bin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));
const hubDomains = componentDomains.hub;

/** Runs the real CLI; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

/** Every table of the hub's schemas: its row count and a digest of all its rows. */
async function snapshot(db: Db): Promise<Record<string, string>> {
  const tables = (await db.execute(
    sql`select table_schema as s, table_name as t from information_schema.tables
        where table_schema in ('hub', 'alerting') and table_type = 'BASE TABLE' order by 1, 2`,
  )) as unknown as { rows?: Array<{ s: string; t: string }> } & Array<{ s: string; t: string }>;
  const list = tables.rows ?? tables;
  const out: Record<string, string> = {};
  for (const { s, t } of list) {
    const result = (await db.execute(
      sql.raw(
        `select count(*)::text as n, coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as h from "${s}"."${t}" x`,
      ),
    )) as unknown as { rows?: Array<{ n: string; h: string }> } & Array<{ n: string; h: string }>;
    const row = (result.rows ?? result)[0]!;
    out[`${s}.${t}`] = `${row.n}:${row.h}`;
  }
  return out;
}

/** A load run through the real generator and a few probe results, as a stack would record them. */
async function record(hub: TestHub): Promise<{ runId: string; run: unknown }> {
  const target = await startTestTarget();
  try {
    const runId = `backup-${randomBytes(4).toString("hex")}`;
    await runInProcess(getProfile({ stages: [{ duration: 3, rate: 40 }] }), target.url, {
      runId,
      hub: { url: hub.url, token: hub.agentToken },
    });
    const probes = await fetch(`${hub.url}/api/v1/ingest/probe-results`, {
      method: "POST",
      headers: { ...hub.agentHeaders, "content-type": "application/json" },
      body: JSON.stringify({
        results: [makeProbeResult(), makeProbeResult({ ok: false, state: "down", status: 503 })],
      }),
    });
    expect(probes.status).toBe(200);
    const admin = await hub.loginAs("admin");
    const engineer = await hub.loginAs("engineer", { email: "kept-engineer@peakwatch.test" });
    const silence = await fetch(`${hub.url}/api/v1/silences`, {
      method: "POST",
      headers: { ...engineer.headers, "content-type": "application/json" },
      body: JSON.stringify({
        matchers: [{ name: "alertname", op: "=", value: "CheckoutErrorRate" }],
        endsAt: Date.now() + 3_600_000,
        comment: "kept across a restore",
      }),
    });
    expect(silence.status).toBe(201);
    const response = await fetch(`${hub.url}/api/v1/runs/${runId}`, { headers: admin.headers });
    expect(response.status).toBe(200);
    return { runId, run: await response.json() };
  } finally {
    await target.close();
  }
}

const masterKey = randomBytes(32).toString("base64");

for (const kind of databaseKinds) {
  describe(`[${kind}] backup and restore of the hub`, () => {
    const scratch = mkdtempSync(join(tmpdir(), "pw-backup-test-"));
    const admin = postgres(process.env.TEST_DATABASE_URL ?? "postgres://unused", {
      max: 1,
      onnotice: () => {},
    });
    const createdDatabases: string[] = [];
    afterAll(async () => {
      rmSync(scratch, { recursive: true, force: true });
      for (const name of createdDatabases) await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    });

    /** A fresh, empty place for the hub's data: a data directory, or a new Postgres database. */
    async function emptyTarget(
      label: string,
    ): Promise<{ env: Record<string, string>; open(): Promise<TestDatabase> }> {
      const dataDir = join(scratch, label);
      if (kind === "pglite") {
        return {
          env: { PEAKWATCH_DATA_DIR: dataDir },
          open: async () => ({
            ...(await openDb({ domains: hubDomains, dataDir: pgliteDir(dataDir, "hub") })),
            url: undefined,
          }),
        };
      }
      const name = `pw_backup_${label}_${randomBytes(4).toString("hex")}`;
      await admin.unsafe(`create database ${name}`);
      createdDatabases.push(name);
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      return {
        env: { PEAKWATCH_DATA_DIR: dataDir, HUB_DATABASE_URL: url.toString() },
        open: async () => ({
          ...(await openDb({ domains: hubDomains, url: url.toString() })),
          url: url.toString(),
        }),
      };
    }

    it("brings back every run, window, probe result, alert table row and user into an empty database, and refuses a non-empty one", async () => {
      const source = await emptyTarget("source");
      const database = await source.open();
      const hub = await startTestHub({ database, env: { PEAKWATCH_MASTER_KEY: masterKey } });
      const archive = join(scratch, "hub.pwbackup");
      let before: Record<string, string>;
      let recorded: { runId: string; run: unknown };
      try {
        recorded = await record(hub);
        before = await snapshot(database.db);
        if (kind === "pglite") {
          // The embedded database allows one process: the CLI says what to do instead.
          const busy = await cli(["backup", "--out", archive], {
            ...source.env,
            PEAKWATCH_MASTER_KEY: masterKey,
          });
          expect(busy.code).toBe(1);
          expect(busy.out).toMatch(/running.*Back up now/s);
        } else {
          // pg_dump takes a consistent snapshot while the hub runs.
          const taken = await cli(["backup", "--out", archive], {
            ...source.env,
            PEAKWATCH_MASTER_KEY: masterKey,
          });
          expect(taken.out).toContain("backup written");
          expect(taken.code).toBe(0);
        }
      } finally {
        await hub.close();
        await database.close();
      }
      expect(before["hub.windows"]).not.toMatch(/^0:/);
      expect(before["hub.probe_results"]).toMatch(/^2:/);
      expect(before["alerting.silences"]).toMatch(/^1:/);
      expect(before["alerting.rules"]).not.toMatch(/^0:/);

      if (kind === "pglite") {
        const taken = await cli(["backup", "--out", archive], {
          ...source.env,
          PEAKWATCH_MASTER_KEY: masterKey,
        });
        expect(taken.out).toContain("backup written");
        expect(taken.code).toBe(0);
        rmSync(join(scratch, "source"), { recursive: true, force: true }); // the disk is lost
      }
      expect(statSync(archive).mode & 0o777).toBe(0o600);
      // Nothing of the data is readable in the archive.
      expect(readFileSync(archive).includes(Buffer.from("kept-engineer@peakwatch.test"))).toBe(false);

      const keyFile = join(scratch, "master.key");
      writeFileSync(keyFile, masterKey, { mode: 0o600 });
      const wrongKey = join(scratch, "wrong.key");
      writeFileSync(wrongKey, randomBytes(32).toString("base64"), { mode: 0o600 });

      const target = await emptyTarget("target");
      const refusedKey = await cli(["restore", archive, "--key-file", wrongKey], target.env);
      expect(refusedKey.code).toBe(1);
      expect(refusedKey.out).toMatch(/was made with master key backup-[0-9a-f]{12}/);

      const restored = await cli(["restore", archive, "--key-file", keyFile], target.env);
      expect(restored.out).toContain("restored the hub");
      expect(restored.code).toBe(0);
      // The key the restored secrets need is installed beside them.
      const installed = join(target.env.PEAKWATCH_DATA_DIR!, "hub", "master.key");
      expect(readFileSync(installed, "utf8").trim()).toBe(masterKey);
      expect(statSync(installed).mode & 0o777).toBe(0o600);

      const again = await cli(["restore", archive, "--key-file", keyFile], target.env);
      expect(again.code).toBe(1);
      expect(again.out).toMatch(/already holds hub data.*--force/s);

      const reopened = await target.open();
      try {
        expect(await snapshot(reopened.db)).toEqual(before);
        const hub2 = await startTestHub({ database: reopened, env: { PEAKWATCH_MASTER_KEY: masterKey } });
        try {
          const session = await hub2.login("kept-engineer@peakwatch.test");
          const run = await (
            await fetch(`${hub2.url}/api/v1/runs/${recorded.runId}`, { headers: session.headers })
          ).json();
          // Same windows, so the same merged percentiles and counts.
          expect(run).toEqual(recorded.run);
        } finally {
          await hub2.close();
        }
      } finally {
        await reopened.close();
      }
    }, 240_000);

    it("backs up on demand from the running hub; admins list and download archives, others cannot", async () => {
      const place = await emptyTarget("live");
      const database = await place.open();
      const hub = await startTestHub({
        database,
        env: { PEAKWATCH_MASTER_KEY: masterKey, HUB_BACKUP_KEEP: "2" },
      });
      try {
        const admin = await hub.loginAs("admin");
        const viewer = await hub.loginAs("viewer");
        expect((await fetch(`${hub.url}/api/v1/backups`, { headers: viewer.headers })).status).toBe(403);
        const names: string[] = [];
        for (let i = 0; i < 3; i++) {
          const made = await fetch(`${hub.url}/api/v1/backups`, { method: "POST", headers: admin.headers });
          expect(made.status).toBe(201);
          names.push(((await made.json()) as { name: string }).name);
        }
        const list = (await (
          await fetch(`${hub.url}/api/v1/backups`, { headers: admin.headers })
        ).json()) as {
          backups: Array<{ name: string; bytes: number }>;
          status: { lastSuccessAt: string | null; lastError: string | null };
        };
        // Rotation keeps the newest two.
        expect(list.backups.map((b) => b.name).sort()).toEqual(names.slice(1).sort());
        expect(list.status.lastSuccessAt).not.toBeNull();
        expect(list.status.lastError).toBeNull();
        const newest = list.backups[0]!;
        const download = await fetch(`${hub.url}/api/v1/backups/${newest.name}`, { headers: admin.headers });
        expect(download.status).toBe(200);
        const bytes = Buffer.from(await download.arrayBuffer());
        expect(bytes.length).toBe(newest.bytes);
        expect(bytes.subarray(0, 17).toString()).toBe("PEAKWATCH-BACKUP\n");
        const traversal = await fetch(`${hub.url}/api/v1/backups/..%2Fmaster.key`, {
          headers: admin.headers,
        });
        expect(traversal.status).toBe(400);
        const metrics = await (await fetch(`${hub.url}/metrics`)).text();
        expect(metrics).toMatch(/^peakwatch_hub_backup_last_size_bytes \d+/m);
        expect(metrics).toMatch(/^peakwatch_hub_backup_age_seconds [\d.e+-]+/m);
      } finally {
        await hub.close();
        await database.close();
      }
      expect(existsSync(scratch)).toBe(true);
    }, 120_000);
  });
}
