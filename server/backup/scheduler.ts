import { mkdirSync, readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { BackupComponent, BackupKey } from "../../core/backup/archive.ts";
import { formatBytes } from "../../core/bytes.ts";
import { type ArchiveSource, writeArchive } from "./archive-file.ts";

/** One archive in the backup directory. */
export interface BackupEntry {
  name: string;
  bytes: number;
  createdAt: string;
}

/** The outcome of the latest attempt, for Admin and /metrics. */
export interface BackupStatus {
  lastSuccessAt: string | null;
  lastSuccessBytes: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  running: boolean;
}

export interface BackupSchedulerOptions {
  component: BackupComponent;
  dir: string;
  /** 0 turns scheduled backups off (backupNow still works). */
  intervalMs: number;
  /** Archives kept; older ones of this component are deleted after a successful backup. */
  keep: number;
  key: BackupKey;
  source: () => Promise<ArchiveSource>;
  /** Only the leader replica backs up on schedule (all replicas share one database). */
  isLeader?: () => boolean | Promise<boolean>;
  now?: () => number;
  log?: (line: string) => void;
}

/** Archive names: the component and a sortable UTC timestamp, nothing a caller can steer. */
export const backupNamePattern = /^(hub|shop)-\d{8}T\d{6}Z(-\d+)?\.pwbackup$/;

/**
 * Scheduled and on-demand backups into one directory (0700), one at a time, with rotation.
 * Never throws from the timer: failures are kept in `status` and counted.
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<BackupEntry> | undefined;
  readonly status: BackupStatus = {
    lastSuccessAt: null,
    lastSuccessBytes: null,
    lastError: null,
    lastErrorAt: null,
    running: false,
  };
  failures = 0;
  private readonly now: () => number;

  constructor(private readonly options: BackupSchedulerOptions) {
    this.now = options.now ?? Date.now;
    const newest = this.safeList()[0];
    if (newest) {
      this.status.lastSuccessAt = newest.createdAt;
      this.status.lastSuccessBytes = newest.bytes;
    }
  }

  /** Schedules the next backup one interval after the newest archive (soon, if that is past). */
  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    const last = this.status.lastSuccessAt ? Date.parse(this.status.lastSuccessAt) : 0;
    // At least a minute after start: a backup must not compete with start-up.
    const delay = Math.max(60_000, last + this.options.intervalMs - this.now());
    this.schedule(Math.min(delay, this.options.intervalMs));
  }

  stop(): Promise<unknown> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.current?.catch(() => {}) ?? Promise.resolve();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(async () => {
      const due = await Promise.resolve(this.options.isLeader?.() ?? true).catch(() => false);
      if (due) await this.backupNow().catch(() => {});
      if (this.timer) this.schedule(this.options.intervalMs);
    }, delayMs);
    this.timer.unref();
  }

  /** Writes one archive now; a call while one is running joins it. Rejects with the failure. */
  backupNow(): Promise<BackupEntry> {
    this.current ??= this.run().finally(() => {
      this.current = undefined;
      this.status.running = false;
    });
    return this.current;
  }

  private async run(): Promise<BackupEntry> {
    this.status.running = true;
    const { dir, component, key } = this.options;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const name = this.freshName();
      const { header, bytes } = await writeArchive(
        join(dir, name),
        await this.options.source(),
        key,
        new Date(this.now()),
      );
      this.status.lastSuccessAt = header.createdAt;
      this.status.lastSuccessBytes = bytes;
      this.status.lastError = null;
      await this.prune();
      this.options.log?.(`backup written: ${join(dir, name)} (${formatBytes(bytes)})`);
      return { name, bytes, createdAt: header.createdAt };
    } catch (error) {
      this.failures++;
      this.status.lastError = (error as Error).message;
      this.status.lastErrorAt = new Date(this.now()).toISOString();
      this.options.log?.(`backup of the ${component} failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private freshName(): string {
    const stamp = new Date(this.now())
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    const taken = new Set(this.safeList().map((e) => e.name));
    let name = `${this.options.component}-${stamp}.pwbackup`;
    for (let i = 1; taken.has(name); i++) name = `${this.options.component}-${stamp}-${i}.pwbackup`;
    return name;
  }

  /** This component's archives, newest first. */
  list(): BackupEntry[] {
    return this.safeList();
  }

  private safeList(): BackupEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return [];
    }
    return names
      .filter((name) => backupNamePattern.test(name) && name.startsWith(`${this.options.component}-`))
      .map((name) => {
        const stat = statSync(join(this.options.dir, name));
        return { name, bytes: stat.size, createdAt: stat.mtime.toISOString() };
      })
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name));
  }

  private async prune(): Promise<void> {
    for (const old of this.safeList().slice(Math.max(1, this.options.keep))) {
      await rm(join(this.options.dir, old.name), { force: true });
    }
  }
}
