#!/usr/bin/env node
// Entry point of the `peakwatch` command. The code is TypeScript run through tsx's loader,
// so there is no separate compile step for the user to remember.
import { register } from "tsx/esm/api";

// A crash (an uncaught error or rejection, in any command) exits 4, not Node's default 1: for
// `peakwatch run` 1 means "a threshold failed", and CI must not read a broken generator as a
// slow shop. The codes are listed in core/run.ts (runExitCodes).
process.on("uncaughtException", (error) => {
  console.error(
    `peakwatch: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(4);
});
// `peakwatch runs | head`: the reader left before the end. What is left to print goes nowhere and
// the command carries on (a run still ends with its own exit code), as the Unix tools' readers expect.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
});
register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
