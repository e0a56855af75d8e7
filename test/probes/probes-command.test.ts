import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs `peakwatch probes ...` as a user would; resolves with the exit code and output. */
async function probes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, "probes", ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("peakwatch probes --check", () => {
  it("accepts a valid file and lists its probes", async () => {
    const result = await probes("--check", fixture("good.yaml"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("3 probes valid (home, shop-port, product)");
  });

  it("names the bad field of a YAML file and exits non-zero", async () => {
    const result = await probes("--check", fixture("bad-regex.yaml"));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `${fixture("bad-regex.yaml")}: probes[1].assertions[0].pattern: not a valid regular expression`,
    );
  });

  it("names the bad field of a JSON file", async () => {
    const result = await probes("--check", fixture("bad-step.json"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("probes[0].steps[0].retry.attempts: Too small");
  });

  it("reports a missing file", async () => {
    const result = await probes("--check", fixture("nope.yaml"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nope.yaml: cannot read");
  });

  it("explains itself with --help", async () => {
    const result = await probes("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--check FILE");
    expect(result.stdout).toContain("PEAKWATCH_PROBES_FILE");
  });
});
