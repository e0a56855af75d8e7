import type { Probe } from "../core/probe.ts";
import { loadProbesConfig } from "./config.ts";
import { defaultProbes } from "./defaults.ts";
import { loadProbeFile } from "./probe-file.ts";
import { startProbes } from "./runtime.ts";

const help = `Usage: peakwatch probes [--check FILE]

Runs synthetic probes against the shop (or the probes in PEAKWATCH_PROBES_FILE, plus any the hub
serves), reports each result to the hub and serves /metrics and /healthz on PEAKWATCH_PROBES_PORT.
SIGHUP re-reads PEAKWATCH_PROBES_FILE (a bad file is refused and the running probes stay).

Options:
  --check FILE   validate a probe file (YAML or JSON) and exit: 0 when valid, 1 naming the bad field
  --help, -h     show this help

Environment:
  PEAKWATCH_PROBES_FILE         probe file; without it the reference shop's default probes run
  PEAKWATCH_PROBES_PORT         port of /metrics and /healthz (default 4200)
  PEAKWATCH_HUB_URL             hub to report to (default http://127.0.0.1:4000)
  PEAKWATCH_AGENT_TOKEN         bearer token for the hub; without it results are not reported
  PEAKWATCH_SHOP_URL            shop the default probes watch (default http://127.0.0.1:4100)
  SHOP_TEST_HOOKS_TOKEN         lets the default login + checkout flow read its code from the shop's mailbox
  SHOP_SEED_CUSTOMERS           the flow logs in as customer1..N@shop.test (default 2000)
  PEAKWATCH_REGION              region label of the results (default local)
  PEAKWATCH_PROBES_CONCURRENCY  checks running at once (default 16)
  PEAKWATCH_PROBES_BUFFER       results kept while the hub is away (default 10000)
  PEAKWATCH_PROBES_HUB_CONFIG_SECONDS  poll the hub for more probes this often (default 60, 0: off)`;

/** `peakwatch probes`: runs until SIGINT/SIGTERM; `--check FILE` validates a probe file and exits. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(help);
    return 0;
  }
  const checkAt = argv.indexOf("--check");
  if (checkAt >= 0) {
    const path = argv[checkAt + 1];
    if (!path) {
      console.error("peakwatch probes: --check needs a FILE\n\n" + help);
      return 2;
    }
    const loaded = await loadProbeFile(path);
    if (!loaded.ok) {
      console.error(loaded.error);
      return 1;
    }
    const probes = loaded.file.probes;
    console.log(
      `${path}: ${probes.length} probe${probes.length === 1 ? "" : "s"} valid (${probes.map((p) => p.name).join(", ")})`,
    );
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith("-"));
  if (unknown) {
    console.error(`peakwatch probes: unknown option ${unknown}\n\n${help}`);
    return 2;
  }

  const config = loadProbesConfig();
  let probes: Probe[];
  if (config.PEAKWATCH_PROBES_FILE) {
    const loaded = await loadProbeFile(config.PEAKWATCH_PROBES_FILE);
    if (!loaded.ok) {
      console.error(`peakwatch probes: ${loaded.error}`);
      return 2;
    }
    probes = loaded.file.probes;
  } else {
    probes = defaultProbes({
      shopUrl: config.PEAKWATCH_SHOP_URL,
      testHooksToken: config.SHOP_TEST_HOOKS_TOKEN,
      customers: config.SHOP_SEED_CUSTOMERS,
    });
    if (!config.SHOP_TEST_HOOKS_TOKEN)
      console.log("probes: SHOP_TEST_HOOKS_TOKEN is not set, so the login + checkout flow is left out");
  }
  if (!config.PEAKWATCH_AGENT_TOKEN)
    console.log("probes: PEAKWATCH_AGENT_TOKEN is not set, so results are not reported to the hub");

  const running = await startProbes({
    probes,
    region: config.PEAKWATCH_REGION,
    concurrency: config.PEAKWATCH_PROBES_CONCURRENCY,
    port: config.PEAKWATCH_PROBES_PORT,
    hostname: config.PEAKWATCH_HOST,
    ...(config.PEAKWATCH_AGENT_TOKEN
      ? {
          hub: {
            hubUrl: config.PEAKWATCH_HUB_URL,
            token: config.PEAKWATCH_AGENT_TOKEN,
            maxBuffered: config.PEAKWATCH_PROBES_BUFFER,
          },
        }
      : {}),
    hubConfigIntervalMs: config.PEAKWATCH_PROBES_HUB_CONFIG_SECONDS * 1000,
    onResult: (result) => {
      // Only failures and state changes are worth a console line; /metrics and the hub have the rest.
      if (!result.ok) console.log(`probe ${result.probe} failed (${result.state}): ${result.message ?? ""}`);
    },
  });
  console.log(
    `probes: ${probes.filter((p) => p.enabled).length} probes in region ${config.PEAKWATCH_REGION}; metrics on ${running.url}/metrics`,
  );
  const file = config.PEAKWATCH_PROBES_FILE;
  // SIGHUP re-reads the probe file, like Prometheus: a bad file keeps the probes that run now.
  const reload = async () => {
    if (!file) return console.log("probes: SIGHUP ignored: no PEAKWATCH_PROBES_FILE to reload");
    const loaded = await loadProbeFile(file);
    if (!loaded.ok)
      return console.error(`probes: reload refused, keeping the current probes: ${loaded.error}`);
    running.setProbes(loaded.file.probes);
    console.log(`probes: reloaded ${loaded.file.probes.length} probes from ${file}`);
  };
  const onHup = () => void reload();
  process.on("SIGHUP", onHup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const started = Date.now();
  console.log(`probes: ${signal}: finishing checks in flight, delivering buffered results…`);
  process.off("SIGHUP", onHup);
  await running.close();
  console.log(`probes: stopped cleanly in ${Date.now() - started} ms`);
  return 0;
}
