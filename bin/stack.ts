import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { STACK_FILE, type StackFile, StackFileSchema, stackEnv } from "../core/stack.ts";

/** The stack file of a data directory (PEAKWATCH_DATA_DIR, default `.peakwatch`). */
export function stackPath(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.PEAKWATCH_DATA_DIR || ".peakwatch", STACK_FILE);
}

/** Writes the file atomically with mode 0600: it holds tokens. */
export function writeStack(path: string, stack: StackFile): void {
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Removes the file, but only when it still describes this process's stack. */
export function removeStack(path: string, pid = process.pid): void {
  const found = readStack(path);
  if (found.kind !== "missing" && found.kind !== "invalid" && found.stack.pid !== pid) return;
  rmSync(path, { force: true });
}

export type StackLookup =
  | { kind: "missing" }
  | { kind: "invalid"; error: string }
  | { kind: "stale"; stack: StackFile }
  | { kind: "running"; stack: StackFile };

/** Reads and validates the stack file; a file whose `up` process is gone is "stale". */
export function readStack(path: string): StackLookup {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { kind: "missing" };
  }
  let parsed: ReturnType<typeof StackFileSchema.safeParse>;
  try {
    parsed = StackFileSchema.safeParse(JSON.parse(text));
  } catch (error) {
    return { kind: "invalid", error: (error as Error).message };
  }
  if (!parsed.success) return { kind: "invalid", error: parsed.error.issues[0]?.message ?? "invalid" };
  return { kind: processAlive(parsed.data.pid) ? "running" : "stale", stack: parsed.data };
}

/** True while a process with this pid exists (EPERM means it exists under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Fills `env` from the running stack for whatever it leaves unset and returns the line to tell
 * the user (which stack was joined, or why none was); undefined when there is no stack file.
 */
export function joinStack(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = stackPath(env);
  const found = readStack(path);
  if (found.kind === "missing") return undefined;
  if (found.kind === "invalid") return `ignoring ${path}: ${found.error}`;
  if (found.kind === "stale")
    return `ignoring ${path}: the stack that wrote it (pid ${found.stack.pid}) is no longer running`;
  Object.assign(env, stackEnv(found.stack, env));
  return `joined the stack at ${found.stack.hub.url} (${path})`;
}

/**
 * Waits while the running stack is still starting (its file has no `readyAt` yet): true once it
 * is ready, or at once when there is no running stack to wait for; false after `timeoutMs`.
 * `onWait` is called once, when waiting begins, so the user knows why nothing happens yet.
 */
export async function untilStackReady(
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onWait: () => void,
): Promise<boolean> {
  const path = stackPath(env);
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const found = readStack(path);
    if (found.kind !== "running" || found.stack.readyAt) return true;
    if (Date.now() >= deadline) return false;
    if (!told) onWait();
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
