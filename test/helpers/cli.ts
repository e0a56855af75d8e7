import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const bin = join(import.meta.dirname, "../../bin/peakwatch.js");

export interface CliExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `peakwatch ARGS…` as a user would, to its end, with `env` over this environment (the
 * stack's URLs and tokens cleared, so a test never joins a running stack by accident).
 */
export function peakwatch(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; onStart?: (child: ChildProcess) => void } = {},
): Promise<CliExit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        PEAKWATCH_SHOP_URL: "",
        PEAKWATCH_HUB_URL: "",
        PEAKWATCH_AGENT_TOKEN: "",
        ...env,
      },
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    options.onStart?.(child);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
