import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { StackFile } from "../core/stack.ts";
import { untilStackReady, writeStack } from "./stack.ts";

const starting: StackFile = {
  version: 1,
  pid: process.pid,
  startedAt: new Date().toISOString(),
  hub: { url: "http://127.0.0.1:4000" },
  shop: { url: "http://127.0.0.1:4100" },
  probes: { url: "http://127.0.0.1:4200" },
  tokens: { agent: "agent", shopAdmin: "admin", shopTestHooks: "hooks" },
};

describe("a command joining a stack that is still starting", () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "peakwatch-stack-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("waits until `up` marks the stack ready, and says once why it waits", async () => {
    const dir = dataDir();
    writeStack(join(dir, "stack.json"), starting);
    let told = 0;
    const started = Date.now();
    setTimeout(
      () => writeStack(join(dir, "stack.json"), { ...starting, readyAt: new Date().toISOString() }),
      600,
    );
    const ready = await untilStackReady({ PEAKWATCH_DATA_DIR: dir }, 10_000, () => told++);
    expect(ready).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(told).toBe(1);
  });

  it("gives up after its time, and does not wait for a missing or stale stack", async () => {
    const dir = dataDir();
    writeStack(join(dir, "stack.json"), starting);
    expect(await untilStackReady({ PEAKWATCH_DATA_DIR: dir }, 300, () => {})).toBe(false);
    const never = () => {
      throw new Error("must not wait");
    };
    expect(await untilStackReady({ PEAKWATCH_DATA_DIR: dataDir() }, 10_000, never)).toBe(true);
    const stale = dataDir();
    writeStack(join(stale, "stack.json"), { ...starting, pid: 2 ** 22 + 1 });
    expect(await untilStackReady({ PEAKWATCH_DATA_DIR: stale }, 10_000, never)).toBe(true);
  });
});
