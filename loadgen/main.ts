import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { scaleProfile } from "../core/profile.ts";
import { runExitCodes } from "../core/run.ts";
import { sameOrigin } from "../core/stack.ts";
import { describeWorkerLoss } from "../core/worker-loss.ts";
import { checkTarget } from "./allowlist.ts";
import { parseRunArgs, RUN_USAGE } from "./args.ts";
import { loadLoadgenConfig } from "./config.ts";
import { journeysNeedingMailbox } from "./journeys/needs.ts";
import type { RunFiles } from "./outputs/files.ts";
import { agentTokenRefusal } from "./outputs/hub-token.ts";
import { RawSamples } from "./outputs/raw-samples.ts";
import { causeLines, headlineLines, type RunSummary, thresholdLines } from "./outputs/summary.ts";
import { loadProfile } from "./profile-loader.ts";
import { runLoad } from "./runner.ts";
import { coordinatedWorker } from "./workers/child.ts";
import { coordinate } from "./workers/coordinator.ts";
import { COORDINATED_ENV } from "./workers/messages.ts";

/**
 * `peakwatch run`: exit 0 passed, 1 a threshold failed, 2 usage or configuration error, 3 degraded
 * (a worker of a split run stopped early), 4 the generator failed, 130 stopped (runExitCodes).
 */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(RUN_USAGE);
    return 0;
  }
  const usage = (message: string) => {
    console.error(`peakwatch run: ${message}\n\n${RUN_USAGE}`);
    return runExitCodes.usage;
  };
  const parsed = parseRunArgs(argv);
  if (!parsed.ok) return usage(parsed.error);
  const args = parsed.args;
  const config = loadLoadgenConfig();

  const loaded = loadProfile(args.profile);
  if (!loaded.ok) {
    console.error(`peakwatch run: ${loaded.error}`);
    return runExitCodes.usage;
  }
  const coordinated = process.env[COORDINATED_ENV] === "1";
  // A breakpoint's capacity is where one ramp breaks: workers on other machines cannot judge it
  // apart. Workers this process coordinates can (--workers N alone): it watches their merged windows.
  if (loaded.profile.breakpoint && args.oneWorker && args.workers > 1 && !coordinated)
    return usage(
      `--worker-index: profile ${args.profile} finds a capacity and cannot be split across machines; run it as one process, or with --workers N alone on one machine`,
    );
  const coordinating = args.workers > 1 && !args.oneWorker;
  // An open-model worker sends its execution segment of the whole schedule; closed-model
  // workers each hold 1/N of the connections.
  const openModel = loaded.profile.stages[0]?.rate !== undefined;
  const share = coordinating || openModel ? 1 : args.workers;
  const scaled = scaleProfile(loaded.profile, { rate: args.rateScale / share, duration: args.durationScale });
  const segment = { index: args.workerIndex, count: coordinating ? 1 : args.workers };
  // N workers share one shop: only worker 0 switches its faults on and off. The thresholds of a
  // local worker are its coordinator's to judge, over the merged windows.
  const profile = {
    ...scaled,
    faults: args.workerIndex === 0 ? scaled.faults : [],
    thresholds: coordinated ? [] : scaled.thresholds,
  };

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
    return runExitCodes.usage;
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
  // Workers of one split run on one machine (a hub's children) each keep their own reports.
  const ownShare = args.oneWorker && args.workers > 1 ? [args.worker ?? `w${args.workerIndex}`] : [];
  const outDir = args.out ?? join(config.PEAKWATCH_DATA_DIR, "runs", runId, ...ownShare);
  const hub = hubUrl && token ? { url: hubUrl, token } : undefined;
  // A token the hub refuses would spool the whole run to disk and exit 0: say so before any load.
  const refused = hub && !coordinated ? await agentTokenRefusal(hub) : undefined;
  if (refused) {
    console.error(`peakwatch run: --token: ${refused}; nothing was sent`);
    return runExitCodes.usage;
  }
  if (!coordinated)
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
  if (coordinating) {
    try {
      const outcome = await coordinate({
        profile,
        profileName: args.profile,
        target: allowed.url.origin,
        runId,
        workers: args.workers,
        workerArgs: [
          args.profile,
          "--target",
          allowed.url.origin,
          ...(hub ? ["--hub", hub.url] : []),
          "--rate-scale",
          String(args.rateScale),
          "--duration-scale",
          String(args.durationScale),
        ],
        // Secrets through the environment (not argv, which `ps` shows); "" keeps the stack file
        // from filling in what this run does not use.
        workerEnv: (index) => ({
          ...process.env,
          PEAKWATCH_HUB_URL: hub?.url ?? "",
          PEAKWATCH_AGENT_TOKEN: hub?.token ?? "",
          SHOP_ADMIN_TOKEN: (index === 0 && adminToken) || "",
          SHOP_TEST_HOOKS_TOKEN: testHooksToken ?? "",
        }),
        hub,
        dataDir: config.PEAKWATCH_DATA_DIR,
        outDir,
        startAt: args.startAt,
        rawSamples: args.rawSamples,
        signal: controller.signal,
        progress: args.quiet ? undefined : process.stderr,
      });
      printOutcome(outcome.summary, outcome.files);
      console.log(
        `workers: ${args.workers}, start skew ${outcome.startSkewMs.toFixed(1)} ms, merge ${outcome.mergeMs.toFixed(0)} ms`,
      );
      return outcome.exitCode;
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
  }
  const worker = coordinated ? coordinatedWorker(() => controller.abort("SIGTERM")) : undefined;
  const raw = args.rawSamples ? new RawSamples(args.rawSamples) : undefined;
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
      segment,
      startAt: worker ? () => worker.startAt() : args.startAt,
      onStart: worker?.onStart,
      sinks: worker ? [worker.sink] : [],
      reportRun: !coordinated,
      workers: args.workers,
      onRequest: raw?.record,
      collectBeforeStart: true,
    });
    raw?.flush();
    if (worker) await worker.done(outcome);
    else printOutcome(outcome.summary, outcome.files);
    return outcome.exitCode;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** The end-of-run lines on stdout: verdict, thresholds, causes, workers lost, where the files are. */
function printOutcome(s: RunSummary, files: RunFiles): void {
  for (const line of headlineLines(s)) console.log(line);
  for (const line of thresholdLines(s)) console.log(line);
  for (const line of causeLines(s)) console.log(line);
  for (const loss of s.workerLosses ?? []) console.log(`  ✘ ${describeWorkerLoss(loss)}`);
  console.log(`report: ${files.html}\nsummary: ${files.summary}\njunit: ${files.junit}`);
}
