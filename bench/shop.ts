/**
 * npm run bench:shop — throughput and p99 of the shop's hot paths (product detail, search,
 * add to cart, OTP verify) on PGlite in its own thread (the default), PGlite on the request
 * thread (SHOP_PGLITE_THREAD=0, the same-run baseline for the thread) and Postgres. The product
 * page of each runs in one-second slices alternating with a bare node:http server that answers
 * the same product JSON (the ceiling no database-backed handler can beat), so both see the same
 * load. Also the database statements per add to cart (shop_db_queries_total).
 *
 * Each server runs in its own process, as in production; autocannon drives it from this one.
 * Settings: BENCH_SECONDS (per case, default 4), BENCH_CONNECTIONS (default 16),
 * BENCH_DATABASE_URL (a Postgres server; default TEST_DATABASE_URL, else the local one),
 * BENCH_CPU_PROF (a directory: CPU profiles of the server processes go there), BENCH_SHOP_BASELINE
 * (another checkout whose shop runs the same cases in this run, on PGlite's thread and on Postgres, as the before figure), BENCH_SHOP_CASES
 * and BENCH_SHOP_VARIANTS (comma lists: only these cases, e.g. "OTP verify", and these of thread,
 * inline, postgres; for profiling one path). Beside each throughput, the server's CPU per request (all its threads, from /proc): the figure that holds
 * still when other work shares the machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { issueOtpChallenge } from "../core/otp/challenge.ts";
import type { Product, ProductPage } from "../core/shop-api.ts";
import { openDb, pgliteDir } from "../db/open.ts";
import { postgresClient } from "../db/postgres-client.ts";
import { otpChallenges } from "../db/schema/shop.ts";
import { deriveOtpSecret } from "../shop/auth/otp-secret.ts";
import { seedShop } from "../shop/catalog/seed.ts";
import { Keyring } from "../shop/crypto/keyring.ts";
import { type BenchFigure, reportFigures } from "./figures.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
/**
 * Another checkout of this repository (e.g. `git worktree add /tmp/before main~5`, with
 * node_modules): its shop runs the same cases in this run, on PGlite in its thread, as the
 * before figure beside today's.
 */
const baselineCheckout = process.env.BENCH_SHOP_BASELINE;
const BASELINE = "pglite (thread), baseline checkout";
const PG_BASELINE = "postgres, baseline checkout";
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const challengeCount = 40_000;
const only = (setting: string | undefined) => (name: string) =>
  !setting || setting.split(",").some((s) => s.trim() === name);
const caseWanted = only(process.env.BENCH_SHOP_CASES);
const variantWanted = only(process.env.BENCH_SHOP_VARIANTS);
const words = ["telescope", "binoculars", "tent", "carbon", "solar filter", "jacket", "lantern", "atlas"];

interface Figures {
  rps: number;
  requests: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU of the server process (all its threads) per request, ms; NaN where /proc is missing. */
  cpuMs: number;
}

/** CPU time of a process so far (user + system, all threads), ms, from /proc; NaN without it. */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** A synthetic client address per request (RFC 2544 range), as the load generator sends. */
const address = (n: number) => `198.18.${(n >> 8) & 255}.${n & 255}`;

async function drive(
  url: string,
  next: () => autocannon.Request,
  duration = seconds,
  label?: string,
  pid?: number,
): Promise<Figures> {
  const cpuBefore = processCpuMs(pid);
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
  });
  const figures = {
    rps: result.requests.average,
    requests: result.requests.total,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuMs: (processCpuMs(pid) - cpuBefore) / result.requests.total,
  };
  if (label)
    console.log(
      `  ${label}: ${Math.round(figures.rps)} req/s, p99 ${figures.p99} ms, server CPU ${figures.cpuMs.toFixed(2)} ms/request`,
    );
  return figures;
}

/** Starts a server process and resolves with its URL once it prints `listening on URL`. */
function startProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const profile = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });

/** Seeds the database and issues OTP challenges with known codes before the shop starts. */
async function prepare(where: { url?: string; dataDir?: string }, masterKey: Buffer) {
  const database = await openDb({ domains: ["shop"], url: where.url, dataDir: where.dataDir, poolSize: 4 });
  try {
    const keyring = new Keyring(database.db, masterKey);
    await keyring.init();
    const started = performance.now();
    await seedShop(database.db, keyring, { products: 1200, customers: 2000 });
    const seedMs = performance.now() - started;
    const secret = deriveOtpSecret(masterKey);
    const challenges: Array<{ challengeId: string; code: string }> = [];
    for (let start = 0; start < challengeCount; start += 1000) {
      const rows = [];
      for (let i = start; i < start + 1000; i++) {
        const email = `customer${(i % 2000) + 1}@shop.test`;
        const { challenge, code } = issueOtpChallenge({ subject: email, secret, now: new Date() });
        challenges.push({ challengeId: challenge.id, code });
        rows.push({ ...challenge, email });
      }
      await database.db.insert(otpChallenges).values(rows);
    }
    return { seedMs, challenges };
  } finally {
    await database.close();
  }
}

/**
 * The shop's own counts from its /metrics: database statements and adds to cart answered
 * (autocannon's total leaves out requests still in flight when it stops).
 */
async function counts(url: string): Promise<{ statements: number; adds: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const adds =
    /^http_request_duration_seconds_count\{method="POST",route="\/api\/cart\/items",status="201"\} (\d+)/m;
  return {
    statements: Number(/^shop_db_queries_total (\d+)/m.exec(text)?.[1] ?? Number.NaN),
    adds: Number(adds.exec(text)?.[1] ?? 0),
  };
}

async function benchShop(
  label: string,
  where: { url?: string; dataDir?: string },
  env: Record<string, string> = {},
  entry = "bin/peakwatch.js",
): Promise<{ figures: Record<string, Figures>; product: Product; statementsPerAdd: number }> {
  const masterKey = randomBytes(32);
  const { seedMs, challenges } = await prepare(where, masterKey);
  console.log(`${label}: seeded 1,200 products and 2,000 customers (encrypted) in ${Math.round(seedMs)} ms`);
  const dataRoot = where.dataDir ? join(where.dataDir, "..", "..") : mkdtempSync(join(tmpdir(), "pw-bench-"));
  const { child, url } = await startProcess([entry, "shop"], {
    PEAKWATCH_DATA_DIR: dataRoot,
    PEAKWATCH_SHOP_PORT: "0",
    PEAKWATCH_MASTER_KEY: masterKey.toString("base64"),
    SHOP_DATABASE_URL: where.url ?? "",
    DATABASE_URL: "",
    SHOP_TRUST_PROXY: "1",
    ...env,
  });
  try {
    const page = (await (await fetch(`${url}/api/products?pageSize=100`)).json()) as ProductPage;
    const ids = page.items.map((p) => p.id);
    const product = (await (await fetch(`${url}/api/products/${ids[0]}`)).json()) as Product;
    let n = 0;
    const detail = () => ({ method: "GET" as const, path: `/api/products/${ids[n++ % ids.length]}` });
    await drive(url, detail, 1); // warm-up: JIT, prepared statements, caches
    let c = 0;
    const cases: Record<string, () => autocannon.Request> = {
      "product detail": detail,
      search: () => ({
        method: "GET",
        path: `/api/search?q=${encodeURIComponent(words[n++ % words.length]!)}&limit=20`,
      }),
      "add to cart": () => ({
        method: "POST",
        path: "/api/cart/items",
        headers: { "content-type": "application/json", "x-forwarded-for": address(n) },
        body: JSON.stringify({ productId: ids[n++ % ids.length], quantity: 1 }),
      }),
      "OTP verify": () => ({
        method: "POST",
        path: "/api/auth/otp/verify",
        headers: { "content-type": "application/json", "x-forwarded-for": address(c) },
        body: JSON.stringify(challenges[c++ % challenges.length]),
      }),
    };
    const figures: Record<string, Figures> = {};
    let statementsPerAdd = Number.NaN;
    if (caseWanted("product detail"))
      Object.assign(figures, await againstCeiling(label, url, detail, product, child.pid));
    for (const [name, next] of Object.entries(cases).filter(([name]) => caseWanted(name))) {
      if (name === "product detail") continue;
      const before = await counts(url);
      figures[name] = await drive(url, next, seconds, `${label} ${name}`, child.pid);
      if (name === "add to cart") {
        await new Promise((resolve) => setTimeout(resolve, 500)); // the last adds finish
        const after = await counts(url);
        statementsPerAdd = (after.statements - before.statements) / (after.adds - before.adds);
      }
    }
    return { figures, product, statementsPerAdd };
  } finally {
    await stop(child);
    if (!where.dataDir) rmSync(dataRoot, { recursive: true, force: true });
  }
}

const ceilingServer = `
const http = require("node:http");
const body = process.env.PRODUCT_JSON;
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log("ceiling listening on http://127.0.0.1:" + server.address().port));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

/** Sums slices of one case into one figure: requests over the time they took, the worst slice's p99. */
function combine(slices: Figures[], sliceSeconds: number): Figures {
  const requests = slices.reduce((sum, f) => sum + f.requests, 0);
  return {
    rps: requests / (slices.length * sliceSeconds),
    requests,
    p99: Math.max(...slices.map((f) => f.p99)),
    non2xx: slices.reduce((sum, f) => sum + f.non2xx, 0),
    errors: slices.reduce((sum, f) => sum + f.errors, 0),
    cpuMs: slices.reduce((sum, f) => sum + f.cpuMs * f.requests, 0) / requests,
  };
}

/**
 * The product page and the bare node:http ceiling serving the same JSON, in alternating
 * one-second slices, so both see the same load from the rest of the machine (measured one
 * after the other, minutes apart, their ratio swung between 12 % and 270 %).
 */
async function againstCeiling(
  label: string,
  shopUrl: string,
  detail: () => autocannon.Request,
  product: Product,
  shopPid: number | undefined,
): Promise<Record<"product detail" | "node:http ceiling", Figures>> {
  const { child, url } = await startProcess(["-e", ceilingServer], { PRODUCT_JSON: JSON.stringify(product) });
  try {
    const request = () => ({ method: "GET" as const, path: `/api/products/${product.id}` });
    await drive(url, request, 1);
    const shop: Figures[] = [];
    const ceiling: Figures[] = [];
    for (let i = 0; i < seconds; i++) {
      shop.push(await drive(shopUrl, detail, 1, undefined, shopPid));
      ceiling.push(await drive(url, request, 1, undefined, child.pid));
    }
    const figures = { "product detail": combine(shop, 1), "node:http ceiling": combine(ceiling, 1) };
    for (const [name, f] of Object.entries(figures)) {
      console.log(
        `  ${label} ${name}: ${Math.round(f.rps)} req/s, p99 ${f.p99} ms, server CPU ${f.cpuMs.toFixed(2)} ms/request`,
      );
    }
    return figures;
  } finally {
    await stop(child);
  }
}

async function postgresDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const base =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres";
  const admin = postgresClient(base, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  const name = `pw_bench_${Date.now().toString(36)}`;
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    console.log(`postgres: skipped (${(error as Error).message})`);
    await admin.end({ timeout: 1 });
    return undefined;
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** The issue's figures before this work (req/s; other load on the machine then). */
const before = {
  pglite: { "add to cart": 166, search: 236, "OTP verify": 262 },
  postgres: { "add to cart": 215, search: 570, "OTP verify": 294 },
} as const;

async function main(): Promise<void> {
  console.log(`shop bench: ${seconds} s per case, ${connections} connections, autocannon\n`);
  const results: Record<string, Record<string, Figures>> = {};
  const perAdd: Record<string, number> = {};
  const variants: Array<[string, Record<string, string>, string?]> = [];
  if (variantWanted("thread")) variants.push(["pglite (thread)", { SHOP_PGLITE_THREAD: "1" }]);
  if (variantWanted("inline")) variants.push(["pglite (inline)", { SHOP_PGLITE_THREAD: "0" }]);
  if (baselineCheckout && variantWanted("thread")) {
    variants.push([BASELINE, { SHOP_PGLITE_THREAD: "1" }, join(baselineCheckout, "bin", "peakwatch.js")]);
  }
  for (const [label, env, entry] of variants) {
    const root = mkdtempSync(join(tmpdir(), "pw-bench-pglite-"));
    try {
      const run = await benchShop(label, { dataDir: pgliteDir(root, "shop") }, env, entry);
      results[label] = run.figures;
      perAdd[label] = run.statementsPerAdd;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  // Postgres, and the baseline checkout's shop on a database of its own when there is one.
  const pgRuns: Array<[string, string?]> = [["postgres"]];
  if (baselineCheckout) pgRuns.push([PG_BASELINE, join(baselineCheckout, "bin", "peakwatch.js")]);
  for (const [label, entry] of variantWanted("postgres") ? pgRuns : []) {
    const pg = await postgresDatabase();
    if (!pg) break;
    try {
      const run = await benchShop(label, { url: pg.url }, {}, entry);
      results[label] = run.figures;
      perAdd[label] = run.statementsPerAdd;
    } finally {
      await pg.drop();
    }
  }

  const cell = (f: Figures | undefined) =>
    f
      ? `${Math.round(f.rps).toString().padStart(7)} req/s  p99 ${String(f.p99).padStart(4)} ms  CPU ${f.cpuMs.toFixed(2)} ms/req${f.non2xx + f.errors ? ` (${f.non2xx} non-2xx, ${f.errors} errors)` : ""}`
      : "-";
  const kinds = Object.keys(results);
  console.log(`\n${"case".padEnd(16)}${kinds.map((k) => k.padEnd(58)).join("")}`);
  for (const name of ["product detail", "node:http ceiling", "search", "add to cart", "OTP verify"]) {
    console.log(`${name.padEnd(16)}${kinds.map((k) => cell(results[k]?.[name]).padEnd(58)).join("")}`);
  }
  console.log(
    `${"statements/add".padEnd(16)}${kinds.map((k) => (perAdd[k] ?? Number.NaN).toFixed(2).padEnd(58)).join("")}`,
  );
  console.log(
    "(node:http ceiling: the same product JSON, no framework, no database, in slices alternating with the product page)",
  );
  const rps = (f: Figures | undefined) => `${Math.round(f?.rps ?? 0).toLocaleString("en-US")} req/s`;
  const figures: BenchFigure[] = [];
  for (const kind of kinds) {
    const ceiling = results[kind]!["node:http ceiling"];
    if (!ceiling) continue;
    const share = (results[kind]!["product detail"]!.rps / ceiling.rps) * 100;
    const goal = kind === "postgres" ? 50 : 25;
    figures.push({
      measure: `product page, ${kind}`,
      value: rps(results[kind]!["product detail"]),
      baseline: `node:http ${rps(ceiling)}`,
      ratio: `${share.toFixed(0)} % of it`,
      goal: kind === "pglite (inline)" ? undefined : `≥ ${goal} %`,
      met: kind === "pglite (inline)" ? undefined : share >= goal,
    });
  }
  for (const kind of kinds.filter((k) => k !== "pglite (inline)" && k !== BASELINE && k !== PG_BASELINE)) {
    const old = before[kind === "postgres" ? "postgres" : "pglite"];
    for (const name of (["add to cart", "search", "OTP verify"] as const).filter(caseWanted)) {
      const now = results[kind]![name]!.rps;
      figures.push({
        measure: `${name}, ${kind}`,
        value: rps(results[kind]![name]),
        baseline:
          kind === "postgres"
            ? `issue: ${old[name]} req/s`
            : `inline ${rps(results["pglite (inline)"]?.[name])}; issue: ${old[name]} req/s`,
        ratio: `${(now / old[name]).toFixed(1)}× the issue's figure`,
        goal: "≥ 3×",
        met: now >= 3 * old[name],
      });
    }
    if (caseWanted("add to cart"))
      figures.push({
        measure: `statements per add to cart, ${kind}`,
        value: (perAdd[kind] ?? Number.NaN).toFixed(2),
        baseline: "issue: ~5",
        goal: "1–2",
        met: (perAdd[kind] ?? 99) <= 2,
      });
  }
  for (const [kind, baseline] of [
    ["pglite (thread)", BASELINE],
    ["postgres", PG_BASELINE],
  ] as const) {
    const then = results[baseline];
    const now = results[kind];
    if (!then || !now) continue;
    for (const name of (["add to cart", "OTP verify", "search", "product detail"] as const).filter(
      caseWanted,
    )) {
      const speedup = now[name]!.rps / then[name]!.rps;
      figures.push({
        measure: `${name}, ${kind}, against the baseline checkout in this run`,
        value: `${rps(now[name])}, CPU ${now[name]!.cpuMs.toFixed(2)} ms/request`,
        baseline: `${rps(then[name])}, CPU ${then[name]!.cpuMs.toFixed(2)} ms/request`,
        // A before/after of two checkouts: the issue's goals are judged against its own figures above.
        ratio: `${speedup.toFixed(1)}× the throughput, ${(then[name]!.cpuMs / now[name]!.cpuMs).toFixed(1)}× less CPU per request`,
      });
    }
  }
  reportFigures("bench:shop", figures);
}

await main();
