import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "./backup.ts";

describe("peakwatch backup --out", () => {
  const dir = mkdtempSync(join(tmpdir(), "pw-backup-out-"));
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a place it cannot write, naming --out, before any dump (it crashed with exit 4)", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await main(["--out", join(dir, "missing", "hub.pwbackup")])).toBe(2);
    expect(error).toHaveBeenLastCalledWith(
      `peakwatch backup: --out: the directory ${join(dir, "missing")} does not exist; create it first`,
    );
    expect(await main(["--out", dir])).toBe(2);
    expect(error).toHaveBeenLastCalledWith(
      `peakwatch backup: --out: ${dir} is a directory; give a file name inside it`,
    );
  });
});
