/**
 * A realistic synthetic day of a shop's access log with a known arrival curve and journey mix,
 * so `profile from-log` can be demonstrated and tested without real logs. Pure and seeded: the
 * same options give the same lines. Sessions arrive exactly along the curve (arrival k where the
 * curve's integral reaches k + ½) and journeys follow the mix by a low-discrepancy sequence, so
 * what a correct reader derives matches the truth closely, not just on average.
 *
 * Like real logs it carries what must not leak: client addresses, emails and tokens in query
 * strings, a reset token in a path; and noise: assets, health checks, scanners, unknown routes.
 */

import { seededRandom } from "../../core/seeded-random.ts";
import type { JourneyName } from "./journeys.ts";

export interface ExampleLogOptions {
  /** Sessions per second at the evening peak. */
  peakRate?: number;
  /** Local midnight the day starts at (ISO date) and the log's UTC offset in hours. */
  date?: string;
  utcOffsetHours?: number;
  hours?: number;
  seed?: number;
  format?: "combined" | "json";
  mix?: Partial<Record<JourneyName, number>>;
  /** Share of non-checkout sessions that sign in (checkouts always do). */
  signInShare?: number;
}

/** What the log was generated from: the truth a derived profile is checked against. */
export interface ExampleTruth {
  /** Sessions per second at `t` seconds after the start. */
  rateAt(t: number): number;
  peakRate: number;
  /** Seconds after the start of the peak. */
  peakAtSeconds: number;
  startMs: number;
  seconds: number;
  mix: Record<JourneyName, number>;
  loggedInShare: number;
  checkoutShare: number;
  medianThinkSeconds: number;
}

export const exampleMix: Record<JourneyName, number> = {
  home: 8,
  browse: 12,
  search: 10,
  product: 30,
  recommendations: 8,
  view_cart: 6,
  add_to_cart: 16,
  checkout: 10,
};

const gauss = (h: number, mu: number, sigma: number) => Math.exp(-((h - mu) ** 2) / (2 * sigma ** 2));

/** A shop's day by local hour: quiet night, a morning rise, a lunch bump, the evening peak. Max 1. */
function dayShape(hour: number): number {
  const h = ((hour % 24) + 24) % 24;
  return 0.06 + 0.32 * gauss(h, 10.5, 1.8) + 0.22 * gauss(h, 13, 0.9) + 0.94 * gauss(h, 20.5, 1.5);
}

const CATEGORIES = ["lamps", "chairs", "mugs", "shirts", "coffee", "books", "toys", "garden"];
const WORDS = ["lamp", "blue mug", "wool scarf", "gift", "coffee beans", "desk chair", "candle"];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
];
const FIRST = ["jane", "omar", "li", "maria", "sven", "aiko", "noah", "fatima", "luca", "chloe"];
const LAST = ["doe", "haddad", "wei", "garcia", "berg", "sato", "smith", "khan", "rossi", "martin"];

interface Line {
  time: number;
  ip: string;
  agent: string;
  method: string;
  target: string;
  status: number;
  bytes: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w = 2) => String(Math.floor(Math.abs(n))).padStart(w, "0");

function clfTime(ms: number, offsetHours: number): string {
  const d = new Date(ms + offsetHours * 3600_000);
  const sign = offsetHours < 0 ? "-" : "+";
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(offsetHours)}00`;
}

/** Generates the day's lines (in time order) and the truth they were made from. */
export function exampleLog(options: ExampleLogOptions = {}): { lines: string[]; truth: ExampleTruth } {
  const peakRate = options.peakRate ?? 0.2;
  const offset = options.utcOffsetHours ?? -5;
  const seconds = Math.round((options.hours ?? 24) * 3600);
  const startMs = Date.parse(`${options.date ?? "2025-11-28"}T00:00:00Z`) - offset * 3600_000;
  const mix = { ...exampleMix, ...options.mix } as Record<JourneyName, number>;
  const signIn = options.signInShare ?? 0.15;
  const random = seededRandom(options.seed ?? 1128);
  const rateAt = (t: number) => peakRate * dayShape(t / 3600);

  let peakAtSeconds = 0;
  for (let t = 0; t < seconds; t += 60) if (rateAt(t) > rateAt(peakAtSeconds)) peakAtSeconds = t;
  const peak = Math.max(...Array.from({ length: 24 * 60 }, (_, m) => dayShape(m / 60)));
  const rateNorm = (t: number) => rateAt(t) / peak;

  const names = Object.keys(mix) as JourneyName[];
  const totalWeight = names.reduce((s, n) => s + mix[n], 0);
  let running = 0;
  const cumulative = names.map((n) => (running += mix[n] / totalWeight));
  const lines: Line[] = [];
  const think = () => Math.min(120, 6 * Math.exp(0.7 * gaussian(random)));
  let k = 0;
  let integral = 0;
  for (let t = 0; t < seconds; t++) {
    const next = integral + rateNorm(t + 0.5);
    // Session arrivals inside this second, where the integral passes k + ½.
    while (k + 0.5 <= next) {
      const at = t + (k + 0.5 - integral) / (next - integral);
      const u = (k * 0.6180339887498949) % 1;
      const journey = names[cumulative.findIndex((c) => u < c)] ?? names[names.length - 1]!;
      const signsIn = journey === "checkout" || (k * 0.41421356237309503) % 1 < signIn;
      session(lines, startMs + at * 1000, journey, signsIn, random, think);
      k++;
    }
    integral = next;
  }
  // Scanners: no shopper's steps, a handful of paths each.
  for (let i = 0; i < Math.round(seconds / 600); i++) {
    const at = startMs + random() * seconds * 1000;
    const ip = address(random);
    for (const [j, target] of ["/wp-login.php", "/.env", "/admin/config.php"].entries())
      lines.push({
        time: at + j * 150,
        ip,
        agent: "python-requests/2.32.3",
        method: "GET",
        target,
        status: 404,
        bytes: 162,
      });
  }
  lines.sort((a, b) => a.time - b.time);
  const format = options.format ?? "combined";
  const text = lines.map((l) =>
    format === "json"
      ? JSON.stringify({
          time: new Date(l.time).toISOString(),
          remote_addr: l.ip,
          request_method: l.method,
          request_uri: l.target,
          status: l.status,
          body_bytes_sent: l.bytes,
          http_user_agent: l.agent,
        })
      : `${l.ip} - - [${clfTime(l.time, offset)}] "${l.method} ${l.target} HTTP/1.1" ${l.status} ${l.bytes} "-" "${l.agent}"`,
  );
  const checkoutShare = mix.checkout / totalWeight;
  const truth: ExampleTruth = {
    rateAt: rateNorm,
    peakRate,
    peakAtSeconds,
    startMs,
    seconds,
    mix: Object.fromEntries(names.map((n) => [n, mix[n] / totalWeight])) as Record<JourneyName, number>,
    loggedInShare: checkoutShare + signIn * (1 - checkoutShare),
    checkoutShare,
    medianThinkSeconds: 6,
  };
  return { lines: text, truth };
}

/** Standard normal by Box–Muller. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function address(random: () => number): string {
  // Public-looking, never loopback or private: the generated log is text, nothing is sent.
  return `${[23, 46, 71, 84, 93, 109, 151, 178, 185, 212][Math.floor(random() * 10)]}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
}

function hex(random: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Appends one visitor's requests: pages with their assets, API calls, think time between clicks. */
function session(
  out: Line[],
  startMs: number,
  journey: JourneyName,
  signsIn: boolean,
  random: () => number,
  think: () => number,
): void {
  const ip = address(random);
  const agent = AGENTS[Math.floor(random() * AGENTS.length)]!;
  const email = `${FIRST[Math.floor(random() * FIRST.length)]}.${LAST[Math.floor(random() * LAST.length)]}${Math.floor(random() * 100)}@example.com`;
  let t = startMs;
  const hit = (method: string, target: string, status = 200, assets = false) => {
    out.push({ time: t, ip, agent, method, target, status, bytes: 800 + Math.floor(random() * 30_000) });
    if (assets) {
      for (const a of ["/static/app.3f9c2b.js", "/static/app.css", "/favicon.ico"])
        out.push({
          time: t + 40 + random() * 200,
          ip,
          agent,
          method: "GET",
          target: a,
          status: 200,
          bytes: 4000,
        });
    }
  };
  const click = () => {
    t += think() * 1000;
  };
  const product = uuid(random);
  const page = (target: string) => hit("GET", target, 200, true);
  const landing = journey === "home" || random() < 0.6;
  if (landing)
    page(
      random() < 0.2
        ? `/?utm_source=newsletter&utm_medium=email&subscriber=${encodeURIComponent(email)}`
        : "/",
    );
  const signIn = () => {
    click();
    hit("POST", `/login?email=${encodeURIComponent(email)}&next=%2Fcheckout`, 302);
  };
  if (signsIn && journey !== "checkout") signIn();
  if (random() < 0.02) {
    // Password reset links carry a token in the path: unknown route, redacted in the report.
    click();
    page(`/account/reset/${hex(random, 40)}`);
  }
  if (random() < 0.03) {
    click();
    hit("GET", `/api/newsletter/confirm?email=${encodeURIComponent(email)}&token=${hex(random, 32)}`);
  }
  const viewProduct = () => {
    if (random() < 0.4) {
      click();
      page(`/search?q=${encodeURIComponent(WORDS[Math.floor(random() * WORDS.length)]!)}`);
    }
    click();
    page(`/product/${product}`);
  };
  switch (journey) {
    case "home":
      if (random() < 0.5) {
        t += 300;
        hit("GET", `/api/products?page=${1 + Math.floor(random() * 5)}`);
      }
      break;
    case "browse":
      click();
      page(`/category/${CATEGORIES[Math.floor(random() * CATEGORIES.length)]}`);
      if (random() < 0.5) {
        click();
        page(`/category/${CATEGORIES[Math.floor(random() * CATEGORIES.length)]}?page=2`);
      }
      break;
    case "search":
      click();
      page(`/search?q=${encodeURIComponent(WORDS[Math.floor(random() * WORDS.length)]!)}`);
      break;
    case "product":
      viewProduct();
      break;
    case "recommendations":
      viewProduct();
      t += 400;
      hit("GET", `/api/recommendations?productId=${product}`);
      break;
    case "view_cart":
      click();
      page("/cart");
      break;
    case "add_to_cart":
      viewProduct();
      click();
      hit("POST", "/cart/add", 302);
      break;
    case "checkout":
      viewProduct();
      click();
      hit("POST", "/cart/add", 302);
      click();
      page("/cart");
      signIn();
      click();
      hit("POST", `/checkout?session_token=${hex(random, 32)}`, 303);
      page(`/order/confirmation?order=${uuid(random)}`);
      break;
  }
}
