import { z } from "zod";
import { parseEnv } from "../core/config.ts";
import type { StackFile } from "../core/stack.ts";
import { loadProbesConfig } from "../probes/config.ts";
import { loadHubConfig } from "../server/config.ts";
import { loadShopConfig } from "../shop/config.ts";
import { main as buildDashboard } from "./build-dashboard.ts";
import { readStack, removeStack, stackPath, writeStack } from "./stack.ts";
import { waitHealthy } from "./up/health.ts";
import { PrefixedLog } from "./up/log.ts";
import { portIsFree, suggestPort } from "./up/ports.ts";
import { sharedSecrets } from "./up/secrets.ts";
import { type ChildSpec, Supervisor } from "./up/supervisor.ts";

/** After this long without every child healthy, `up` says which it is still waiting for. */
const SLOW_NOTICE_MS = 90_000;

const upSettings = z.object({
  /** A child that answered /healthz and then stays silent this long is restarted. */
  PEAKWATCH_UP_UNHEALTHY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
});

const help = `Usage: peakwatch up

Starts the whole platform on one machine: the hub (API, alerting, dashboard), the reference
shop and the synthetic probes, each as its own process. Logs are prefixed by component; a
crashed component is restarted with backoff. Ctrl-C stops everything.

Configuration (environment): PEAKWATCH_HUB_PORT (4000), PEAKWATCH_SHOP_PORT (4100),
PEAKWATCH_PROBES_PORT (4200), PEAKWATCH_HOST (127.0.0.1), PEAKWATCH_DATA_DIR (.peakwatch),
DATABASE_URL / HUB_DATABASE_URL / SHOP_DATABASE_URL (embedded PGlite when unset),
PEAKWATCH_UP_UNHEALTHY_SECONDS (30: restart a child whose /healthz stays silent this long).
See README.md for the rest.

Writes <data dir>/stack.json (mode 0600): the URLs and tokens of the running stack, which every
other peakwatch command (run, users, keys, probes) uses for what its flags and environment leave
unset. Removed again on a clean stop.`;

/** `peakwatch up`: validates config, checks ports, then supervises hub, shop and probes until a signal. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(help);
    return 0;
  }
  // `up --port 5000` must not start on the default ports as if the flag had been read.
  if (argv.length > 0) {
    console.error(`peakwatch up: unexpected argument "${argv[0]}"\n\n${help}`);
    return 2;
  }
  const log = new PrefixedLog();
  // Validate every child's configuration here, so a bad value stops us before anything starts.
  const settings = parseEnv(upSettings);
  const hub = loadHubConfig();
  const shop = loadShopConfig();
  const probes = loadProbesConfig();
  const host = hub.PEAKWATCH_HOST;
  const ports = [
    ["PEAKWATCH_HUB_PORT", hub.PEAKWATCH_HUB_PORT],
    ["PEAKWATCH_SHOP_PORT", shop.PEAKWATCH_SHOP_PORT],
    ["PEAKWATCH_PROBES_PORT", probes.PEAKWATCH_PROBES_PORT],
  ] as const;
  for (const [variable, port] of ports) {
    if (port === 0) {
      console.error(
        `peakwatch up: ${variable}=0 is not supported here; the components must know each other's ports`,
      );
      return 2;
    }
    const twin = ports.find(([other, p]) => other !== variable && p === port);
    if (twin) {
      console.error(
        `peakwatch up: ${variable} and ${twin[0]} are both ${port}; give each component its own port`,
      );
      return 2;
    }
    if (!(await portIsFree(host, port))) {
      // Suggest a port that is free now and none of the stack's own.
      const suggestion = await suggestPort(host, port, new Set(ports.map(([, p]) => p)));
      console.error(
        `peakwatch up: ${variable}: port ${port} on ${host} is already in use. Stop whatever holds it, or choose another port${suggestion ? `, e.g. ${variable}=${suggestion} npm start` : ""}`,
      );
      return 2;
    }
  }

  const stackFile = stackPath(process.env);
  const existing = readStack(stackFile);
  if (existing.kind === "running") {
    console.error(
      `peakwatch up: a stack is already running from this data directory (pid ${existing.stack.pid}, dashboard ${existing.stack.hub.url}); stop it first, or use another PEAKWATCH_DATA_DIR`,
    );
    return 2;
  }

  // The platform is still useful without the UI (API, probes, alerts): a failed build is reported, not fatal.
  if ((await buildDashboard(["--if-needed"])) !== 0) log.line("up", "starting without the dashboard");

  const hubUrl = `http://${host}:${hub.PEAKWATCH_HUB_PORT}`;
  const shopUrl = `http://${host}:${shop.PEAKWATCH_SHOP_PORT}`;
  const probesUrl = `http://${host}:${probes.PEAKWATCH_PROBES_PORT}`;
  const secrets = sharedSecrets(process.env);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    PEAKWATCH_HUB_URL: hubUrl,
    PEAKWATCH_SHOP_URL: shopUrl,
    // Links in notifications point at the dashboard as it really listens, unless told otherwise.
    PEAKWATCH_EXTERNAL_URL: process.env.PEAKWATCH_EXTERNAL_URL || `${hubUrl}/`,
    FORCE_COLOR: process.stdout.isTTY ? "1" : "0",
  };
  const specs: ChildSpec[] = [
    { name: "hub", env, healthUrl: `${hubUrl}/healthz` },
    { name: "shop", env, healthUrl: `${shopUrl}/healthz` },
    { name: "probes", env, healthUrl: `${probesUrl}/healthz` },
  ];
  const stack: StackFile = {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    hub: { url: hubUrl },
    shop: { url: shopUrl },
    probes: { url: probesUrl },
    tokens: {
      agent: secrets.PEAKWATCH_AGENT_TOKEN,
      shopAdmin: secrets.SHOP_ADMIN_TOKEN,
      shopTestHooks: secrets.SHOP_TEST_HOOKS_TOKEN,
    },
  };
  writeStack(stackFile, stack);
  const supervisor = new Supervisor(specs, log, {
    unhealthyAfterMs: settings.PEAKWATCH_UP_UNHEALTHY_SECONDS * 1000,
  });
  const stopped = new AbortController();
  const done = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        log.line("up", "second signal: killing everything now");
        supervisor.kill();
        return;
      }
      log.line("up", `${signal}: stopping hub, shop and probes…`);
      stopped.abort();
      supervisor.stop().then(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });

  // Probes start once the hub and the shop answer: a seeding shop does not read as DOWN at
  // start-up, and the probes' first ask for the hub's probe definitions is answered.
  supervisor.start(["hub", "shop"]);
  const waiting = new Set(specs.map((s) => s.name));
  // A first start seeds the shop and a loaded machine is slow: say so, and keep waiting.
  const slowNotice = setTimeout(
    () =>
      log.line(
        "up",
        `still waiting for ${[...waiting].join(", ")} after ${SLOW_NOTICE_MS / 1000} s; see the log above`,
      ),
    SLOW_NOTICE_MS,
  );
  const untilHealthy = (spec: ChildSpec) =>
    waitHealthy(spec.healthUrl, Number.POSITIVE_INFINITY, stopped.signal).then((up) => {
      if (up) waiting.delete(spec.name);
      return up;
    });
  const servers = await Promise.all(specs.filter((s) => s.name !== "probes").map(untilHealthy));
  if (servers.every(Boolean)) supervisor.start(["probes"]);
  const healthy = [...servers, await untilHealthy(specs.find((s) => s.name === "probes")!)];
  clearTimeout(slowNotice);
  if (!stopped.signal.aborted && healthy.every(Boolean)) {
    // A command that joined while the stack was starting waits for this before it begins.
    writeStack(stackFile, { ...stack, readyAt: new Date().toISOString() });
    printBanner(log, hubUrl, shopUrl, probesUrl, hub.PEAKWATCH_ADMIN_EMAIL, stackFile);
  }
  await done;
  removeStack(stackFile);
  log.line("up", "all stopped");
  return 0;
}

function printBanner(
  log: PrefixedLog,
  hubUrl: string,
  shopUrl: string,
  probesUrl: string,
  admin: string,
  stackFile: string,
): void {
  for (const line of [
    "Peakwatch is up.",
    `  Dashboard:  ${hubUrl}/   (open this)`,
    `  Shop:       ${shopUrl}/`,
    `  Probes:     ${probesUrl}/metrics`,
    `  Log in as ${admin}: the login code is printed here when you ask for one.`,
    `  Stack file: ${stackFile} (other peakwatch commands join this stack, e.g. npx peakwatch run smoke)`,
    "  Ctrl-C stops everything.",
  ])
    log.line("up", line);
}
