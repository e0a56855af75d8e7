import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A bounded on-disk FIFO of request bodies waiting for the hub: one file per batch, named by
 * sequence so the oldest goes first. Survives the process, so a later run can replay it.
 * When full, the oldest batch is discarded (and counted) rather than growing without bound.
 */
export class Spool {
  private bytes = 0;
  private seq = 0;
  /** Windows discarded because the spool was full. */
  discarded = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of this.files()) {
      this.bytes += statSync(join(dir, name)).size;
      this.seq = Math.max(this.seq, Number.parseInt(name, 10) + 1);
    }
  }

  private files(): string[] {
    return readdirSync(this.dir)
      .filter((n) => /^\d+\.json$/.test(n))
      .sort();
  }

  get size(): number {
    return this.files().length;
  }

  /** Appends a batch; `count` is how many windows it holds (for the discard tally). */
  push(body: string, count: number): void {
    const name = `${String(this.seq++).padStart(12, "0")}.json`;
    writeFileSync(join(this.dir, name), JSON.stringify({ count, body }));
    this.bytes += Buffer.byteLength(body) + 32;
    while (this.bytes > this.maxBytes) {
      const oldest = this.files()[0];
      if (!oldest || oldest === name) break;
      const entry = this.read(oldest);
      this.remove(oldest);
      this.discarded += entry?.count ?? 0;
    }
  }

  /** The oldest batch, without removing it. */
  peek(): { name: string; body: string; count: number } | undefined {
    const name = this.files()[0];
    if (!name) return undefined;
    const entry = this.read(name);
    if (!entry) {
      this.remove(name);
      return this.peek();
    }
    return { name, ...entry };
  }

  remove(name: string): void {
    const path = join(this.dir, name);
    try {
      this.bytes -= statSync(path).size;
      rmSync(path);
    } catch {
      // already gone
    }
  }

  private read(name: string): { body: string; count: number } | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, name), "utf8")) as { body: string; count: number };
    } catch {
      return undefined;
    }
  }
}
