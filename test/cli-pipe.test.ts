import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const bin = join(import.meta.dirname, "../bin/peakwatch.js");

it("a reader that leaves early (peakwatch profiles | head -1) ends the command quietly, with its own exit code", async () => {
  const child = spawn(process.execPath, [bin, "profiles"], { stdio: ["ignore", "pipe", "pipe"] });
  // The read end closes before the command writes a line: every write of it meets EPIPE.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(stderr).not.toMatch(/internal error|EPIPE/);
  expect(code).toBe(0);
});
