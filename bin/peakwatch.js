#!/usr/bin/env node
// Entry point of the `peakwatch` command. The code is TypeScript run through tsx's loader,
// so there is no separate compile step for the user to remember.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
