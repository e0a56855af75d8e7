import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/probes.ts";

const bin = fileURLToPath(new URL("../../bin/peakwatch.js", import.meta.url));

function spawnProbes(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [bin, "probes"], {
    env: { PATH: process.env.PATH ?? "", PEAKWATCH_PROBES_PORT: "0", PEAKWATCH_HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c) => {
    output += c;
  });
  child.stderr!.on("data", (c) => {
    output += c;
  });
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the probes process", () => {
  let target: TestServer;
  const dir = mkdtempSync(join(tmpdir(), "pw-probes-"));
  beforeAll(async () => {
    target = await startServer((req, res) =>
      req.url === "/broken" ? res.writeHead(500).end("boom") : res.writeHead(200).end("ok"),
    );
  });
  afterAll(() => target.close());

  it("serves /healthz and /metrics with success, phase durations and status codes, and stops on SIGTERM", async () => {
    const file = join(dir, "probes.yaml");
    writeFileSync(
      file,
      [
        "probes:",
        `  - { kind: http, name: ok-page, url: "${target.url}/", interval: 500ms }`,
        `  - { kind: http, name: broken-page, url: "${target.url}/broken", interval: 500ms }`,
      ].join("\n"),
    );
    const { child, output } = spawnProbes({ PEAKWATCH_PROBES_FILE: file });
    try {
      const url = await waitFor(() => /metrics on (http:\S+)\/metrics/.exec(output())?.[1], 20_000);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return text.includes('probe_success{probe="broken-page"') &&
          text.includes('probe_success{probe="ok-page"')
          ? text
          : undefined;
      }, 10_000);
      expect(metrics).toMatch(/probe_success\{probe="ok-page",kind="http",region="local"\} 1/);
      expect(metrics).toMatch(/probe_success\{probe="broken-page",kind="http",region="local"\} 0/);
      expect(metrics).toMatch(/probe_http_status_code\{probe="broken-page",kind="http",region="local"\} 500/);
      expect(metrics).toMatch(
        /probe_duration_seconds\{probe="ok-page",kind="http",region="local",phase="firstByte"\} \d/,
      );
      expect(metrics).toContain("probe_results_dropped_total 0");
      expect(output()).toContain("probe broken-page failed (unknown): expected a 2xx or 3xx status, got 500");
      expect(output()).toContain("PEAKWATCH_AGENT_TOKEN is not set");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited(child)).toBe(0);
  });

  it("re-reads the probe file on SIGHUP and keeps the running probes when the new file is bad", async () => {
    const file = join(dir, "reload.yaml");
    const probe = (name: string) =>
      `  - { kind: http, name: ${name}, url: "${target.url}/", interval: 300ms }`;
    writeFileSync(file, ["probes:", probe("first")].join("\n"));
    const { child, output } = spawnProbes({ PEAKWATCH_PROBES_FILE: file });
    const names = async (url: string) =>
      ((await (await fetch(`${url}/probes`)).json()) as { probes: Array<{ name: string }> }).probes.map(
        (p) => p.name,
      );
    try {
      const url = await waitFor(() => /metrics on (http:\S+)\/metrics/.exec(output())?.[1], 20_000);
      expect(await names(url)).toEqual(["first"]);
      writeFileSync(file, ["probes:", probe("first"), probe("second")].join("\n"));
      child.kill("SIGHUP");
      await waitFor(() => (output().includes("reloaded 2 probes") ? true : undefined), 10_000);
      expect(await names(url)).toEqual(["first", "second"]);
      await waitFor(async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return text.includes('probe_success{probe="second"') ? true : undefined;
      }, 10_000);

      writeFileSync(file, ["probes:", probe("second")].join("\n"));
      child.kill("SIGHUP");
      await waitFor(() => (output().includes("reloaded 1 probes") ? true : undefined), 10_000);
      expect(await names(url)).toEqual(["second"]);
      // The removed probe's last-check series are gone, not frozen at their last value.
      expect(await (await fetch(`${url}/metrics`)).text()).not.toContain('probe_success{probe="first"');

      writeFileSync(file, "probes:\n  - { kind: http, name: broken, url: nope }\n");
      child.kill("SIGHUP");
      await waitFor(() => (output().includes("reload refused") ? true : undefined), 10_000);
      expect(output()).toContain("reload refused, keeping the current probes: ");
      expect(output()).toContain("probes[0].url: must start with http:// or https://");
      expect(await names(url)).toEqual(["second"]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited(child)).toBe(0);
  });

  it("refuses to start with a bad probe file, naming the field", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, `probes:\n  - { kind: http, name: x, url: "${target.url}/", timeout: soon }\n`);
    const { child, output } = spawnProbes({ PEAKWATCH_PROBES_FILE: file });
    expect(await exited(child)).toBe(2);
    expect(output()).toContain("probes[0].timeout: not a duration");
  });
});
