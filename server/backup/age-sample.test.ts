import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { deriveBackupKey } from "../../core/backup/archive.ts";
import { BACKUP_AGE_SERIES, withBackupAge } from "./age-sample.ts";
import { BackupScheduler } from "./scheduler.ts";

const dir = mkdtempSync(join(tmpdir(), "pw-age-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scheduler(now: () => number) {
  return new BackupScheduler({
    component: "hub",
    dir,
    intervalMs: 3_600_000,
    keep: 2,
    key: deriveBackupKey(Buffer.alloc(32, 1)),
    now,
    source: async () => ({
      component: "hub",
      driver: "pglite",
      domains: ["hub"],
      stream: Readable.from([Buffer.from("dump")]),
    }),
  });
}

describe("backup age for alert rules", () => {
  const none = async () => [];

  it("counts from the hub's start while no backup has succeeded", async () => {
    const source = withBackupAge(
      none,
      scheduler(() => 0),
      true,
      1_000_000,
    );
    const samples = await source(1_000_000, 1_000_000 + 3 * 86_400_000);
    expect(samples).toEqual([
      {
        series: BACKUP_AGE_SERIES,
        labels: { target: "hub" },
        at: 1_000_000 + 3 * 86_400_000 - 1000,
        value: 3 * 86_400 - 1,
      },
    ]);
  });

  it("counts from the last successful backup once there is one", async () => {
    let clock = Date.parse("2026-11-30T10:00:00Z");
    const s = scheduler(() => clock);
    await s.backupNow();
    clock += 600_000;
    const samples = await withBackupAge(none, s, true, 0)(clock - 60_000, clock);
    expect(samples[0]?.value).toBeCloseTo(599, 0);
  });

  it("adds nothing when backups are not scheduled", async () => {
    expect(
      await withBackupAge(
        none,
        scheduler(() => 0),
        false,
        0,
      )(0, 86_400_000 * 10),
    ).toEqual([]);
  });
});
