import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Probe } from "../core/probe.ts";
import type { ProbeResult } from "../core/probe-result.ts";
import { createProbesApp } from "./app.ts";
import { HubConfig, mergeProbes } from "./hub-config.ts";
import type { CheckContext } from "./kinds/kind.ts";
import { createProbeMetrics, type ProbeMetrics } from "./metrics.ts";
import { Reporter, type ReporterOptions } from "./reporter.ts";
import { Scheduler } from "./scheduler.ts";

export interface StartProbesOptions {
  probes: ReadonlyArray<Probe>;
  region: string;
  concurrency: number;
  /** Where to report results; without it results only reach /metrics. */
  hub?: Pick<ReporterOptions, "hubUrl" | "token"> & Partial<ReporterOptions>;
  /** Port of /metrics and /healthz (0: any free port). */
  port: number;
  hostname: string;
  env?: Record<string, string | undefined>;
  /** Poll the hub for more probes this often (needs `hub`); 0 or absent: local probes only. */
  hubConfigIntervalMs?: number;
  /** Also called with every result (tests, logs). Must not block. */
  onResult?: (result: ProbeResult) => void;
}

/** A running probes process: scheduler, reporter and its HTTP server. */
export interface RunningProbes {
  url: string;
  scheduler: Scheduler;
  reporter: Reporter | undefined;
  metrics: ProbeMetrics;
  /** Replaces the local probes (a reloaded file); the hub's probes stay merged in. */
  setProbes(probes: ReadonlyArray<Probe>): void;
  /** Stops checks, delivers what is buffered (bounded) and closes the server. */
  close(): Promise<void>;
}

/** Wires probes, reporter, metrics and the HTTP server together and starts them. Throws when the port is taken. */
export async function startProbes(options: StartProbesOptions): Promise<RunningProbes> {
  const reporter = options.hub ? new Reporter(options.hub) : undefined;
  const metrics = createProbeMetrics(() => reporter?.stats);
  const context: CheckContext = { env: options.env ?? process.env, random: Math.random, wallNow: Date.now };
  const scheduler = new Scheduler({
    probes: options.probes,
    region: options.region,
    concurrency: options.concurrency,
    context,
    onResult: (result) => {
      metrics.observe(result);
      reporter?.push(result);
      options.onResult?.(result);
    },
    onSkip: (probe) => metrics.skipped(probe.name),
  });
  const app = createProbesApp({ metrics, scheduler });
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${options.port} is already in use (set PEAKWATCH_PROBES_PORT to another port)`)
          : error,
      ),
    );
  });
  let local = options.probes;
  let fromHub: ReadonlyArray<Probe> = [];
  const apply = () => {
    const before = scheduler.states().map((s) => s.probe.name);
    scheduler.update(mergeProbes(local, fromHub));
    const now = new Set(scheduler.states().map((s) => s.probe.name));
    for (const name of before) if (!now.has(name)) metrics.forget(name);
  };
  const hubConfig =
    options.hub && options.hubConfigIntervalMs
      ? new HubConfig({
          hubUrl: options.hub.hubUrl,
          token: options.hub.token,
          intervalMs: options.hubConfigIntervalMs,
          onProbes: (probes) => {
            fromHub = probes;
            apply();
          },
          ...(options.hub.log ? { log: options.hub.log } : {}),
        })
      : undefined;
  reporter?.start();
  scheduler.start();
  hubConfig?.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.hostname}:${port}`,
    scheduler,
    reporter,
    metrics,
    setProbes: (probes) => {
      local = probes;
      apply();
    },
    close: async () => {
      await hubConfig?.stop();
      await scheduler.stop();
      await reporter?.stop(3000);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
