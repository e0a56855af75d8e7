/** What every component's command module exports: run with the arguments after the command name. */
export interface CommandModule {
  /** Resolves to the process exit code. Long-running servers resolve when they have shut down. */
  main(argv: string[]): Promise<number>;
}

export interface Command {
  summary: string;
  load(): Promise<CommandModule>;
  /** Fills unset settings from the running stack's file (see bin/stack.ts) and says so. */
  joinsStack?: boolean;
  /**
   * For a command that takes no arguments: its `--help` text. The dispatcher prints it for
   * `--help` and refuses any other argument (exit 2), so a flag is never silently ignored.
   */
  usage?: string;
  /** With `usage`: the flags the command does accept. */
  options?: readonly string[];
}

/** Where settings come from for a command without options. */
const fromEnvironment =
  "It takes no options: settings come from the environment (see README.md, Configuration).";

/** The `peakwatch` commands: thin dispatch to each component's own main. */
export const commands: Record<string, Command> = {
  up: {
    summary: "start hub, shop and probes together (what `npm start` runs)",
    load: () => import("./up.ts"),
  },
  hub: {
    summary: "run the hub server alone",
    load: () => import("../server/main.ts"),
    usage: `Usage: peakwatch hub\n\nRuns the hub alone (REST API, ingest, alerting, live WebSocket, dashboard) on\nPEAKWATCH_HOST:PEAKWATCH_HUB_PORT (default 127.0.0.1:4000).\n${fromEnvironment}`,
  },
  shop: {
    summary: "run the reference shop alone",
    load: () => import("../shop/main.ts"),
    usage: `Usage: peakwatch shop\n\nRuns the reference shop alone on PEAKWATCH_HOST:PEAKWATCH_SHOP_PORT (default\n127.0.0.1:4100).\n${fromEnvironment}`,
  },
  probes: {
    summary: "run the synthetic probes alone; probes --check FILE validates a probe file",
    load: () => import("../probes/main.ts"),
    joinsStack: true,
  },
  run: {
    summary: "run a load profile (against the running stack's shop unless --target says otherwise)",
    load: () => import("../loadgen/main.ts"),
    joinsStack: true,
  },
  profile: {
    summary:
      "derive a load profile from access logs: profile from-log FILE… --out p.yaml; profile example-log",
    load: () => import("./profile.ts"),
  },
  capacity: {
    summary:
      'measure capacity: capacity --target URL --slo "p95(checkout)<800ms, error_rate<1%" [--peak N | --plan p.yaml]',
    load: () => import("./capacity.ts"),
    joinsStack: true,
  },
  runs: {
    summary: "list the load runs whose reports are on this machine, newest first",
    // Joins the stack to ask its hub for the verdict of runs the hub split over workers.
    joinsStack: true,
    load: () => import("./runs.ts"),
  },
  profiles: {
    summary: "list the built-in load profiles",
    load: () => import("../loadgen/profiles-command.ts"),
    usage:
      "Usage: peakwatch profiles\n\nLists the built-in load profiles with what each simulates; run one with `peakwatch run NAME`.",
  },
  migrate: {
    summary: "apply database migrations (hub and shop) and exit",
    load: () => import("./migrate.ts"),
    usage: "Usage: peakwatch migrate\n\nApplies the hub's and the shop's migrations (idempotent) and exits.",
  },
  users: {
    summary: "manage hub users: users add EMAIL --role ROLE",
    load: () => import("../server/users-command.ts"),
    joinsStack: true,
  },
  keys: {
    summary: "manage the shop's encryption keys: keys rotate",
    load: () => import("../shop/keys-command.ts"),
    joinsStack: true,
  },
  backup: {
    summary: "write an encrypted backup of the hub (or --shop): backup --out FILE",
    load: () => import("./backup.ts"),
  },
  restore: {
    summary: "restore a backup into an empty database: restore FILE",
    load: () => import("./restore.ts"),
  },
  "build-dashboard": {
    summary: "build the dashboard bundle (run by npm install)",
    load: () => import("./build-dashboard.ts"),
    options: ["--if-needed"],
    usage:
      "Usage: peakwatch build-dashboard [--if-needed]\n\nBuilds the dashboard bundle into dashboard/dist with Vite (npm install and `up` run it).\n\n  --if-needed   skip when the build is newer than the dashboard's sources",
  },
};
