/**
 * Probes benchmark: how many checks per second one probes process sustains against a local
 * server with per-phase timings on, beside bare undici request loops measured in the same run
 * (keep-alive, and a fresh connection per request as a probe makes).
 *
 * The target server runs in a child process so it does not share the measured event loop.
 * Run: npm run bench:probes   (BENCH_SECONDS=3 per mode and round, BENCH_ROUNDS=3, BENCH_CONCURRENCY=16)
 */
import { spawn } from "node:child_process";
import { Agent, request } from "undici";
import { ProbeSchema } from "../core/probe.ts";
import { Scheduler } from "../probes/scheduler.ts";
import { timedRequest } from "../probes/timed-request.ts";
import { reportFigures } from "./figures.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const body = JSON.stringify({ items: [{ id: "p1", name: "Mug", priceCents: 1299 }], total: 1 });

/** Starts the target in a child process; resolves with its URL. */
async function startTarget(): Promise<{ url: string; stop: () => void }> {
  const source = `
    const http = require("node:http");
    const body = ${JSON.stringify(body)};
    const server = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    server.keepAliveTimeout = 5000;
    server.listen(0, "127.0.0.1", () => process.send(server.address().port));
  `;
  const child = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(Number(m))));
  return { url: `http://127.0.0.1:${port}/api/products`, stop: () => child.kill() };
}

interface Figure {
  mode: string;
  checks: number;
  errors: number;
  perSecond: number;
  note?: string;
}

/** Runs `concurrency` loops of `once` for `seconds`; counts completions. */
async function loop(mode: string, once: () => Promise<boolean>): Promise<Figure> {
  let checks = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        if (await once().catch(() => false)) checks++;
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { mode, checks, errors, perSecond: checks / elapsed };
}

async function schedulerRun(url: string): Promise<Figure> {
  // Far more demand than one process can serve (16,000 checks/s offered: probes × 10 each), so the
  // figure is capacity and slots are skipped.
  const count = concurrency * 100;
  const probes = Array.from({ length: count }, (_, i) =>
    ProbeSchema.parse({
      kind: "http",
      name: `bench-${i}`,
      url,
      interval: 100,
      timeout: 5000,
      assertions: [
        { type: "status", in: [200] },
        { type: "jsonPathCompare", path: "total", op: ">", value: 0 },
      ],
    }),
  );
  let checks = 0;
  let errors = 0;
  let skipped = 0;
  const scheduler = new Scheduler({
    probes,
    region: "bench",
    concurrency,
    context: { env: {}, random: Math.random, wallNow: Date.now },
    onResult: (r) => (r.ok ? checks++ : errors++),
    onSkip: () => skipped++,
  });
  const started = performance.now();
  scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  await scheduler.stop();
  const elapsed = (performance.now() - started) / 1000;
  return {
    mode: "probes scheduler: http kind, phases + 2 assertions + result",
    checks,
    errors,
    perSecond: checks / elapsed,
    note: `${count} probes at 100 ms; ${skipped} slots skipped (saturated on purpose)`,
  };
}

type Mode = { name: string; run: () => Promise<Figure> };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const target = await startTarget();
  const keepAlive = new Agent({ connections: concurrency });
  const url = new URL(target.url);
  const modes: Mode[] = [
    {
      name: "undici.request, keep-alive (bare baseline)",
      run: () =>
        loop("", async () => {
          const response = await request(target.url, { dispatcher: keepAlive });
          await response.body.text();
          return response.statusCode === 200;
        }),
    },
    {
      name: "undici.request, new connection each (baseline)",
      run: () =>
        loop("", async () => {
          const response = await request(target.url, { dispatcher: keepAlive, reset: true });
          await response.body.text();
          return response.statusCode === 200;
        }),
    },
    {
      name: "timedRequest: new connection, phase timings",
      run: () =>
        loop("", async () => {
          const outcome = await timedRequest({
            url,
            method: "GET",
            headers: {},
            signal: AbortSignal.timeout(5000),
          });
          return outcome.ok && outcome.response.status === 200;
        }),
    },
    {
      name: "probes scheduler: http kind, phases + 2 assertions + result",
      run: () => schedulerRun(target.url),
    },
  ];
  const samples = new Map<string, Figure[]>(modes.map((m) => [m.name, []]));
  try {
    // Warm up the target and the JIT.
    await modes[2]!.run();
    // Rounds with a rotating order, so load that comes and goes on a shared machine hits every mode alike.
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < modes.length; i++) {
        const mode = modes[(i + round) % modes.length]!;
        samples.get(mode.name)!.push(await mode.run());
      }
    }
  } finally {
    await keepAlive.close();
    target.stop();
  }
  const rate = (name: string) => median(samples.get(name)!.map((f) => f.perSecond));
  const bare = rate(modes[0]!.name);
  const fresh = rate(modes[1]!.name);
  console.log(
    `probes bench: median of ${rounds} rounds × ${seconds} s per mode, concurrency ${concurrency}, node ${process.version}`,
  );
  console.log(
    "mode".padEnd(62),
    "checks/s".padStart(9),
    "vs bare".padStart(8),
    "vs fresh-conn".padStart(14),
    "errors".padStart(7),
  );
  for (const mode of modes) {
    const figures = samples.get(mode.name)!;
    const value = rate(mode.name);
    console.log(
      mode.name.padEnd(62),
      value.toFixed(0).padStart(9),
      `${((value / bare) * 100).toFixed(0)} %`.padStart(8),
      `${((value / fresh) * 100).toFixed(0)} %`.padStart(14),
      String(figures.reduce((sum, f) => sum + f.errors, 0)).padStart(7),
      figures[0]?.note ? ` ${figures[0].note}` : "",
    );
  }
  const timed = rate(modes[2]!.name);
  const scheduler = rate(modes[3]!.name);
  reportFigures("bench:probes", [
    {
      measure: `HTTP check with phase timings, new connection each, concurrency ${concurrency}`,
      value: `${timed.toFixed(0)} checks/s`,
      baseline: `bare undici, new connection each ${fresh.toFixed(0)} checks/s`,
      ratio: `${((timed / fresh) * 100).toFixed(0)} % of it`,
    },
    {
      measure: "probes scheduler, http kind with phases, 2 assertions and a stored result",
      value: `${scheduler.toFixed(0)} checks/s`,
      baseline: `bare undici, new connection each ${fresh.toFixed(0)} checks/s`,
      ratio: `${((scheduler / fresh) * 100).toFixed(0)} % of it`,
    },
  ]);
}

await main();
