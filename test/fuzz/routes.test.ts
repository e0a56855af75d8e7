import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, HOOKS_TOKEN, logIn, ShopClient } from "../helpers/shop.ts";
import { hostileIds, malformedPayloads, type Payload } from "./payloads.ts";
import {
  hubLogin,
  type RunningProcess,
  rssMb,
  startProcess,
  type ThreadTimes,
  threadTimes,
} from "./processes.ts";

/**
 * Issue 14 acceptance 3: malformed requests to every write route of the hub and the shop, with
 * valid credentials of each kind. No answer is a 5xx, none takes 2 s, both /healthz answer
 * within 1 s throughout, and the hub's resident memory grows < 100 MB. The hub and the shop run
 * as their own processes (`peakwatch hub`, `peakwatch shop`), as in production, so the
 * client's work never shares their event loop and RSS is the hub's alone. Times are the server's
 * share of each round trip, without waits for a CPU on this shared machine (loopHeldMs); the wall
 * times are printed beside them. Loopback only; bounded in count and time.
 */
interface Route {
  method: string;
  /** `:id` is replaced by each hostile id in turn (and by one plain id). */
  path: string;
  /** Credentials this route is not fuzzed with. */
  not?: string[];
}

const hubRoutes: Route[] = [
  { method: "POST", path: "/api/v1/auth/otp/request" },
  { method: "POST", path: "/api/v1/auth/otp/verify" },
  { method: "POST", path: "/api/v1/ingest/windows" },
  { method: "POST", path: "/api/v1/ingest/probe-results" },
  { method: "POST", path: "/api/v1/ingest/runs" },
  { method: "POST", path: "/api/v1/runs" },
  { method: "POST", path: "/api/v1/runs/:id/stop" },
  { method: "PUT", path: "/api/v1/faults/:id" },
  { method: "DELETE", path: "/api/v1/faults/:id" },
  { method: "POST", path: "/api/v1/users" },
  { method: "PATCH", path: "/api/v1/users/:id" },
  { method: "DELETE", path: "/api/v1/users/:id" },
  { method: "POST", path: "/api/v1/agent-tokens" },
  { method: "DELETE", path: "/api/v1/agent-tokens/:id" },
  { method: "POST", path: "/api/v1/rules" },
  { method: "PUT", path: "/api/v1/rules/:id" },
  { method: "DELETE", path: "/api/v1/rules/:id" },
  { method: "POST", path: "/api/v1/silences" },
  { method: "DELETE", path: "/api/v1/silences/:id" },
  { method: "POST", path: "/api/v1/alerts/:id/ack" },
  { method: "POST", path: "/api/v1/channels" },
  { method: "PUT", path: "/api/v1/channels/:id" },
  { method: "DELETE", path: "/api/v1/channels/:id" },
  { method: "POST", path: "/api/v1/channels/:id/test" },
  { method: "PUT", path: "/api/v1/routes" },
  { method: "POST", path: "/api/v1/probes/definitions" },
  { method: "PATCH", path: "/api/v1/probes/definitions/:id" },
  { method: "DELETE", path: "/api/v1/probes/definitions/:id" },
];

const shopRoutes: Route[] = [
  { method: "POST", path: "/api/auth/otp/request" },
  { method: "POST", path: "/api/auth/otp/verify" },
  { method: "POST", path: "/api/cart/items" },
  { method: "PATCH", path: "/api/cart/items/:id" },
  { method: "DELETE", path: "/api/cart/items/:id" },
  { method: "POST", path: "/api/checkout" },
  { method: "PUT", path: "/admin/faults/:id" },
  { method: "DELETE", path: "/admin/faults/:id" },
];

/** Sent last: they end sessions or clear everything the fuzz may have set. */
const hubFinal: Route[] = [
  { method: "DELETE", path: "/api/v1/routes" },
  { method: "DELETE", path: "/api/v1/faults" },
  { method: "POST", path: "/api/v1/auth/logout" },
];
const shopFinal: Route[] = [
  { method: "DELETE", path: "/api/cart" },
  // With the admin token this is a real rotation whatever the body (seconds of re-wrapping,
  // covered by the key-rotation tests), so only the other credentials send it malformed input.
  { method: "POST", path: "/admin/keys/rotate", not: ["admin"] },
  { method: "DELETE", path: "/admin/faults" },
  { method: "POST", path: "/api/auth/logout" },
];

interface Outcome {
  label: string;
  /** 0 when no answer came (reset, timeout): the cause is in `error`. */
  status: number;
  /** Wall time minus waits for a CPU (see loopHeldMs): what the 2 s bound applies to. */
  ms: number;
  wallMs: number;
  error?: string;
  /** performance.now() at the start, to line outcomes up when one is slow. */
  startedAt: number;
}

const REQUEST_TIMEOUT_MS = 15_000;
/** Larger than both servers' default body limits (hub 1 MiB, shop 64 KiB): either refuses it mid-upload. */
const OVER_ANY_BODY_LIMIT = 1024 * 1024;
const CONCURRENCY = 4;

/**
 * A request, sent once more when a reused keep-alive connection turned out closed by the server
 * before any answer (UND_ERR_SOCKET): the keep-alive race every HTTP client has on a loaded
 * machine, which fetch retries by itself only for idempotent methods. A server that really drops
 * the request drops the second one too, and that one counts.
 */
async function send(
  server: RunningProcess,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload: Payload | undefined,
): Promise<Outcome> {
  const first = await sendOnce(server, method, path, headers, payload);
  return first.error === "UND_ERR_SOCKET" ? sendOnce(server, method, path, headers, payload) : first;
}

async function sendOnce(
  server: RunningProcess,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload: Payload | undefined,
): Promise<Outcome> {
  const serverBefore = threadTimes(server.pid);
  const selfBefore = threadTimes();
  const started = performance.now();
  const label = `${method} ${path.slice(0, 80)} [${payload?.kind ?? "no body"}]`;
  const timed = () => {
    const wallMs = performance.now() - started;
    const ms = loopHeldMs(wallMs, serverBefore, threadTimes(server.pid), selfBefore, threadTimes());
    return { ms, wallMs, startedAt: started };
  };
  try {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(payload?.contentType ? { "content-type": payload.contentType } : {}), ...headers },
      body: method === "GET" ? undefined : payload?.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return { label, status: response.status, ...timed() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    // Both servers answer an over-limit body with 413 and close the connection while the client
    // may still be uploading; the client then sees its write fail (EPIPE/ECONNRESET) before it
    // reads the 413. That is the refusal, not an outage: /healthz is checked throughout.
    const closedOnUpload = cause?.code === "EPIPE" || cause?.code === "ECONNRESET";
    if (closedOnUpload && Buffer.byteLength(payload?.body ?? "") > OVER_ANY_BODY_LIMIT) {
      return { label, status: 413, error: cause?.code, ...timed() };
    }
    return { label, status: 0, error: cause?.code ?? String(error), ...timed() };
  }
}

/** Every (route, id, payload, credential) combination, in order. */
function plan(
  routes: Route[],
  credentials: Record<string, Record<string, string>>,
  payloads: Payload[],
  everyIdEveryPayload = false,
): Array<{ method: string; path: string; headers: Record<string, string>; payload: Payload; who: string }> {
  const out = [];
  for (const route of routes) {
    const paths = route.path.includes(":id")
      ? hostileIds.map((id) => route.path.replace(":id", id))
      : [route.path];
    for (const [i, path] of paths.entries()) {
      // Each id once with every payload would be ~6× the requests: ids rotate through the payloads.
      const some =
        paths.length > 1 && !everyIdEveryPayload
          ? payloads.filter((_, k) => k % paths.length === i)
          : payloads;
      for (const payload of some)
        for (const [who, headers] of Object.entries(credentials))
          if (!route.not?.includes(who)) out.push({ method: route.method, path, headers, payload, who });
    }
  }
  return out;
}

async function runAll(jobs: Array<() => Promise<Outcome>>, deadline: number): Promise<Outcome[]> {
  const results: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && Date.now() < deadline) {
      const job = jobs[next++]!;
      results.push(await job());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/**
 * How long a round trip (a fuzz request or a /healthz) took on the server's side. On this 2-core
 * machine shared with other jobs a round trip can take seconds while neither process does
 * anything: both are runnable, waiting for a CPU (measured: a 3.5 s gap in the hub's idle event loop, no request in
 * flight, with 0.45 s of its CPU). So the wall time is charged minus the time the server's main
 * thread and this test's thread spent in the run queue (Linux schedstat), but never less than the
 * CPU the server's main thread used meanwhile: a request holding the loop for 1 s of CPU breaks
 * the bound however loaded the machine is, and so does a loop stuck in synchronous I/O (off the
 * run queue). Without schedstat the whole wall time is charged.
 */
function loopHeldMs(
  wallMs: number,
  serverBefore: ThreadTimes | undefined,
  serverAfter: ThreadTimes | undefined,
  selfBefore: ThreadTimes | undefined,
  selfAfter: ThreadTimes | undefined,
): number {
  if (!serverBefore || !serverAfter || !selfBefore || !selfAfter) return wallMs;
  const waited =
    serverAfter.runQueueMs - serverBefore.runQueueMs + (selfAfter.runQueueMs - selfBefore.runQueueMs);
  return Math.max(wallMs - waited, serverAfter.cpuMs - serverBefore.cpuMs);
}

const AGENT_TOKEN = "fuzz-agent-token-0123456789abcdef";
const ADMIN_EMAIL = "admin@fuzz.test";

describe("route fuzz: hub and shop processes (issue 14 acceptance 3)", () => {
  let hub: RunningProcess;
  let shop: RunningProcess;
  beforeAll(async () => {
    const common = { PEAKWATCH_HOST: "127.0.0.1", SHOP_ADMIN_TOKEN: ADMIN_TOKEN };
    shop = await startProcess("shop", /shop listening on (http:\S+)/, {
      ...common,
      PEAKWATCH_SHOP_PORT: "0",
      SHOP_SEED_PRODUCTS: "50",
      SHOP_SEED_CUSTOMERS: "5",
      SHOP_TEST_HOOKS_TOKEN: HOOKS_TOKEN,
    });
    hub = await startProcess("hub", /hub listening on (http:\S+)/, {
      ...common,
      PEAKWATCH_HUB_PORT: "0",
      PEAKWATCH_AGENT_TOKEN: AGENT_TOKEN,
      PEAKWATCH_ADMIN_EMAIL: ADMIN_EMAIL,
      PEAKWATCH_SHOP_URL: shop.url,
      HUB_SCRAPE_INTERVAL_SECONDS: "0",
      HUB_RETENTION_INTERVAL_MINUTES: "0",
      // Every fuzz login comes from 127.0.0.1; the login limits have their own tests.
      HUB_LOGIN_CODES_PER_ADDRESS: "100000",
      HUB_LOGIN_CODES_PER_ACCOUNT: "100000",
      HUB_LOGIN_FAILURES_PER_ADDRESS: "100000",
    });
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    await shop?.stop();
  });

  it("answers ≥ 1,000 malformed requests per app without a 5xx, a 2 s answer, a slow /healthz or bloat", async () => {
    const admin = await hubLogin(hub, ADMIN_EMAIL);
    const hubCredentials: Record<string, Record<string, string>> = {
      anonymous: {},
      agent: { authorization: `Bearer ${AGENT_TOKEN}` },
      admin: { ...admin, origin: hub.url },
    };
    for (const role of ["viewer", "engineer", "ops"] as const) {
      const email = `${role}@fuzz.test`;
      const created = await fetch(`${hub.url}/api/v1/users`, {
        method: "POST",
        headers: { ...admin, "content-type": "application/json" },
        body: JSON.stringify({ email, role }),
      });
      expect(created.status).toBe(201);
      hubCredentials[role] = { ...(await hubLogin(hub, email)), origin: hub.url };
    }
    const customer = new ShopClient(shop.url);
    await logIn(customer, "customer1@shop.test");
    const shopCredentials: Record<string, Record<string, string>> = {
      anonymous: {},
      customer: { cookie: [...customer.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
      testHooks: { "x-test-hooks-token": HOOKS_TOKEN },
    };
    const payloads = malformedPayloads(Math.floor(Date.now() / 1000));
    // FUZZ_ROUTES=<regex> narrows the routes when chasing one finding (the full run is the test).
    const only = process.env.FUZZ_ROUTES ? new RegExp(process.env.FUZZ_ROUTES) : undefined;
    const pick = (routes: Route[]) => routes.filter((r) => !only || only.test(`${r.method} ${r.path}`));
    const hubJobs = plan(pick([...hubRoutes, ...hubFinal]), hubCredentials, payloads);
    // The shop has fewer routes: each of its ids gets every payload, to pass 1,000 requests too.
    const shopJobs = plan(pick([...shopRoutes, ...shopFinal]), shopCredentials, payloads, true);

    const rssBefore = rssMb(hub.pid);
    let rssPeak = rssBefore;
    let worstHealthz = 0;
    let worstHealthzAt = "";
    let worstHealthzWall = 0;
    let healthzChecks = 0;
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        for (const [name, server] of [
          ["hub", hub],
          ["shop", shop],
        ] as const) {
          const serverBefore = threadTimes(server.pid);
          const selfBefore = threadTimes();
          const started = performance.now();
          const r = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch(
            (error: Error) => error,
          );
          const wallMs = performance.now() - started;
          const ok = r instanceof Response && r.ok;
          const ms = ok
            ? loopHeldMs(wallMs, serverBefore, threadTimes(server.pid), selfBefore, threadTimes())
            : 10_000;
          worstHealthzWall = Math.max(worstHealthzWall, ok ? wallMs : 10_000);
          if (ms > worstHealthz) {
            worstHealthz = ms;
            worstHealthzAt = `${name} ${r instanceof Response ? r.status : r.message} (wall ${Math.round(wallMs)} ms)`;
          }
          healthzChecks += 1;
        }
        rssPeak = Math.max(rssPeak, rssMb(hub.pid));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const deadline = Date.now() + 240_000;
    const outcomes = await runAll(
      [
        ...hubJobs.map(
          (j) => () =>
            send(hub, j.method, j.path, j.headers, j.payload).then((o) => ({
              ...o,
              label: `hub ${j.who} ${o.label}`,
            })),
        ),
        ...shopJobs.map(
          (j) => () =>
            send(shop, j.method, j.path, j.headers, j.payload).then((o) => ({
              ...o,
              label: `shop ${j.who} ${o.label}`,
            })),
        ),
      ],
      deadline,
    );
    monitoring = false;
    await monitor;
    rssPeak = Math.max(rssPeak, rssMb(hub.pid));

    const worst = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
    const failures = outcomes.filter((o) => o.status >= 500 || o.status === 0);
    const slow = outcomes.filter((o) => o.ms >= 2000);
    const figures = {
      requests: {
        hub: outcomes.filter((o) => o.label.startsWith("hub")).length,
        shop: outcomes.filter((o) => o.label.startsWith("shop")).length,
      },
      worstRequestMs: Math.round(worst.ms),
      worstRequestWallMs: Math.round(Math.max(...outcomes.map((o) => o.wallMs))),
      worstRequest: worst.label,
      serverErrors: failures.length,
      over2s: slow.length,
      worstHealthzMs: Math.round(worstHealthz),
      worstHealthzAt,
      worstHealthzWallMs: Math.round(worstHealthzWall),
      healthzChecks,
      hubRssMb: { before: rssBefore, peak: rssPeak, growth: rssPeak - rssBefore },
      slowest: [...outcomes]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map(
          (o) => `${Math.round(o.ms)} ms (wall ${Math.round(o.wallMs)}) ${o.status || o.error} ${o.label}`,
        ),
    };
    // The figures issue 14 asks for (acceptance 4), printed before the verdict.
    console.log(`route fuzz figures: ${JSON.stringify(figures)}`);
    if (process.env.FUZZ_DEBUG) {
      const before = outcomes.filter(
        (o) => o.startedAt > worst.startedAt - 6000 && o.startedAt <= worst.startedAt,
      );
      for (const o of before)
        console.log(
          `timeline ${Math.round(o.startedAt - worst.startedAt)} ms +${Math.round(o.ms)} ${o.status} ${o.label}`,
        );
    }
    if (only) {
      for (const o of outcomes) console.log(`fuzz ${Math.round(o.ms)} ms ${o.status || o.error} ${o.label}`);
      return;
    }
    expect(outcomes.length).toBe(hubJobs.length + shopJobs.length);
    expect(figures.requests.hub).toBeGreaterThanOrEqual(1000);
    expect(figures.requests.shop).toBeGreaterThanOrEqual(1000);
    expect(failures.slice(0, 10).map((o) => `${o.status || o.error} ${o.label}`)).toEqual([]);
    expect(
      slow.slice(0, 10).map((o) => `${Math.round(o.ms)} ms (wall ${Math.round(o.wallMs)}) ${o.label}`),
    ).toEqual([]);
    expect(worstHealthz).toBeLessThan(1000);
    expect(figures.hubRssMb.growth).toBeLessThan(100);
  }, 300_000);
});
