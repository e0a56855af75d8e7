import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { scaleProfile } from "../core/profile.ts";
import { sameOrigin } from "../core/stack.ts";
import { describeResult } from "../core/threshold.ts";
import { checkTarget } from "./allowlist.ts";
import { parseRunArgs, RUN_USAGE } from "./args.ts";
import { loadLoadgenConfig } from "./config.ts";
import { journeysNeedingMailbox } from "./journeys/needs.ts";
import { causeLines, headlineLines } from "./outputs/summary.ts";
import { loadProfile } from "./profile-loader.ts";
import { runLoad } from "./runner.ts";

/** `peakwatch run`: exit 0 passed, 1 threshold failed or stopped, 2 usage or configuration error. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(RUN_USAGE);
    return 0;
  }
  const usage = (message: string) => {
    console.error(`peakwatch run: ${message}\n\n${RUN_USAGE}`);
    return 2;
  };
  const parsed = parseRunArgs(argv);
  if (!parsed.ok) return usage(parsed.error);
  const args = parsed.args;
  const config = loadLoadgenConfig();

  const loaded = loadProfile(args.profile);
  if (!loaded.ok) {
    console.error(`peakwatch run: ${loaded.error}`);
    return 2;
  }
  const scaled = scaleProfile(loaded.profile, {
    rate: args.rateScale / args.workers,
    duration: args.durationScale,
  });
  // N workers share one shop: only worker 0 switches its faults on and off.
  const profile = args.workerIndex === 0 ? scaled : { ...scaled, faults: [] };

  const target = args.target ?? config.PEAKWATCH_SHOP_URL;
  if (!target)
    return usage(
      "--target is required: no stack is running from this data directory (start one with npm start) and PEAKWATCH_SHOP_URL is unset",
    );
  const allowed = checkTarget(target, {
    shopUrl: config.PEAKWATCH_SHOP_URL,
    extra: config.PEAKWATCH_ALLOWED_TARGETS,
  });
  if (!allowed.ok) {
    console.error(`peakwatch run: ${allowed.error}`);
    return 2;
  }
  const hubUrl = args.hub ?? config.PEAKWATCH_HUB_URL;
  const token = args.token ?? config.PEAKWATCH_AGENT_TOKEN;
  if (args.hub && !token) return usage("--token is required with --hub (or set PEAKWATCH_AGENT_TOKEN)");
  // The shop's secrets from the environment (or the stack) go only to the shop they belong to:
  // any other target, even on loopback, could be a listener collecting them.
  const ownShop = sameOrigin(allowed.url.origin, config.PEAKWATCH_SHOP_URL);
  const withheld = (variable: string, value: string | undefined) =>
    value && !ownShop
      ? ` (${variable} is set, but it belongs to the shop at ${config.PEAKWATCH_SHOP_URL}, not ${allowed.url.origin})`
      : ` (or set ${variable})`;
  const adminToken = args.adminToken ?? (ownShop ? config.SHOP_ADMIN_TOKEN : undefined);
  const testHooksToken = args.testHooksToken ?? (ownShop ? config.SHOP_TEST_HOOKS_TOKEN : undefined);
  if (profile.faults.length > 0 && !adminToken) {
    return usage(
      `--admin-token is required: profile ${profile.name} has a fault timeline${withheld("SHOP_ADMIN_TOKEN", config.SHOP_ADMIN_TOKEN)}`,
    );
  }
  const loggingIn = journeysNeedingMailbox(profile);
  if (loggingIn.length > 0 && !testHooksToken) {
    return usage(
      `--test-hooks-token is required: journey ${loggingIn.join(", ")} logs in with a code read from the shop's capture mailbox${withheld("SHOP_TEST_HOOKS_TOKEN", config.SHOP_TEST_HOOKS_TOKEN)}`,
    );
  }

  const runId =
    args.runId ??
    `run-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}-${randomBytes(3).toString("hex")}`;
  const outDir = args.out ?? join(config.PEAKWATCH_DATA_DIR, "runs", runId);
  const hub = hubUrl && token ? { url: hubUrl, token } : undefined;
  console.error(
    hub
      ? `peakwatch run: ${runId} against ${allowed.url.origin}, reporting to the hub at ${hub.url}; reports in ${outDir}`
      : `peakwatch run: ${runId} against ${allowed.url.origin}; no hub ${hubUrl ? `token for ${hubUrl} (set PEAKWATCH_AGENT_TOKEN or --token)` : "(no --hub, PEAKWATCH_HUB_URL or running stack)"}, so results stay local: ${outDir}`,
  );
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A second Ctrl-C means "now": faults still expire on their own (expiresInSeconds).
      console.error(`${signal} again: exiting without cleanup`);
      process.exit(130);
    }
    console.error(`\n${signal}: stopping the run (clearing faults, flushing windows)…`);
    controller.abort(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const outcome = await runLoad({
      profile,
      profileName: args.profile,
      target: allowed.url.origin,
      runId,
      worker: args.worker,
      hub,
      dataDir: config.PEAKWATCH_DATA_DIR,
      maxSpoolBytes: config.PEAKWATCH_SPOOL_MAX_MB * 1024 * 1024,
      outDir,
      adminToken,
      testHooksToken,
      customers: config.SHOP_SEED_CUSTOMERS,
      signal: controller.signal,
      progress: args.quiet ? undefined : process.stderr,
    });
    const s = outcome.summary;
    for (const line of headlineLines(s)) console.log(line);
    for (const t of s.thresholds) {
      const d = describeResult(t.expression, t.value);
      const abort = t.abortOnFail ? "  [aborts the run]" : "";
      console.log(`  ${t.ok ? "✔" : "✘"} ${t.expression}  measured ${d.measured} (limit ${d.limit})${abort}`);
    }
    for (const line of causeLines(s)) console.log(line);
    console.log(
      `report: ${outcome.files.html}\nsummary: ${outcome.files.summary}\njunit: ${outcome.files.junit}`,
    );
    return outcome.exitCode;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
