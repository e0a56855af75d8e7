import { readFileSync } from "node:fs";
import { argsErrorMessage, isArgsError } from "../core/cli-args.ts";
import { ConfigError } from "../core/config.ts";
import { type Command, commands } from "./commands.ts";
import { joinStack, untilStackReady } from "./stack.ts";

/** How long a command that joined a starting stack waits for it (a first start seeds the shop). */
const STACK_START_WAIT_MS = 180_000;

const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: peakwatch <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  --help, -h     show this help (or `peakwatch <command> --help`)",
    "  --version, -v  print the version",
    "",
    "Configuration: flags, then environment variables, then the running stack's",
    "<data dir>/stack.json (written by `peakwatch up`), then defaults; see README.md.",
  ].join("\n");
}

/** Dispatches to a command's main; returns the exit code (2 for usage and configuration errors). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    console.log(version);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`peakwatch: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const refused = checkArguments(name, command, rest);
  if (refused !== undefined) return refused;
  // A supervised child (see `up`) exits when its supervisor goes away, so none is left behind.
  const supervised = Boolean(process.send);
  const orphaned = () => process.kill(process.pid, "SIGTERM");
  if (supervised) process.on("disconnect", orphaned);
  // `up` hands its children their settings; a command run by hand joins the running stack.
  if (command.joinsStack && !supervised && !rest.includes("--help") && !rest.includes("-h")) {
    const joined = joinStack(process.env);
    if (joined) console.error(`peakwatch ${name}: ${joined}`);
    const ready = await untilStackReady(process.env, STACK_START_WAIT_MS, () =>
      console.error(
        `peakwatch ${name}: the stack is still starting (hub, shop, probes); waiting up to ${STACK_START_WAIT_MS / 1000} s for it to answer…`,
      ),
    );
    if (!ready)
      console.error(
        `peakwatch ${name}: the stack did not finish starting in ${STACK_START_WAIT_MS / 1000} s; going on (see what peakwatch up printed)`,
      );
  }
  try {
    const module = await command.load();
    return await module.main(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`peakwatch ${name}: configuration error: ${error.message}`);
      return 2;
    }
    // A flag the command does not know is a usage error (exit 2), not an internal one.
    if (isArgsError(error)) {
      console.error(`peakwatch ${name}: ${argsErrorMessage(error)} (see peakwatch ${name} --help)`);
      return 2;
    }
    throw error;
  } finally {
    // The IPC channel to `up` would keep a finished child alive until the supervisor kills it.
    if (supervised) {
      process.off("disconnect", orphaned);
      if (process.connected) process.disconnect();
    }
  }
}

/**
 * For a command without options of its own (it declares `usage`): prints the usage for `--help`
 * (exit 0) and refuses any other argument (exit 2) instead of starting and ignoring it. Undefined
 * when the command should run.
 */
export function checkArguments(name: string, command: Command, args: string[]): number | undefined {
  if (command.usage === undefined) return undefined;
  if (args.includes("--help") || args.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  const unexpected = args.find((a) => !(command.options ?? []).includes(a));
  if (unexpected === undefined) return undefined;
  console.error(`peakwatch ${name}: unexpected argument "${unexpected}"\n\n${command.usage}`);
  return 2;
}
