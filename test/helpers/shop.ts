import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { otpCodeFromMail } from "../../core/shop-api.ts";
import { createShop, type Shop, type ShopDeps } from "../../shop/app.ts";
import { loadShopConfig, type ShopConfig } from "../../shop/config.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export const ADMIN_TOKEN = "test-admin-token";
export const HOOKS_TOKEN = "test-hooks-token";

export interface TestShop {
  /** http://127.0.0.1:PORT */
  url: string;
  shop: Shop;
  database: TestDatabase;
  config: ShopConfig;
  masterKey: Buffer;
  close(): Promise<void>;
}

export interface TestShopOptions extends Pick<ShopDeps, "clock" | "random" | "mailer"> {
  /** Extra environment (strings, as the shop would read them). */
  env?: Record<string, string>;
  /** Reuse a database (and its master key) instead of creating one. */
  database?: TestDatabase;
  masterKey?: Buffer;
}

/**
 * Starts a throwaway shop on port 0 with a fresh database of `kind` (1,000 products,
 * 100 customers unless `env` says otherwise), admin and test-hook tokens set, proxy trust on so
 * each test client can claim its own address, and no restocking unless `env` asks for it.
 */
export async function startTestShop(
  kind: "pglite" | "postgres",
  options: TestShopOptions = {},
): Promise<TestShop> {
  const dataDir = mkdtempSync(join(tmpdir(), "pw-shop-"));
  const masterKey = options.masterKey ?? randomBytes(32);
  const config = loadShopConfig({
    PEAKWATCH_DATA_DIR: dataDir,
    SHOP_SEED_PRODUCTS: "1000",
    SHOP_SEED_CUSTOMERS: "100",
    SHOP_ADMIN_TOKEN: ADMIN_TOKEN,
    SHOP_TEST_HOOKS_TOKEN: HOOKS_TOKEN,
    SHOP_TRUST_PROXY: "1",
    // No deliveries behind a test's back (statement counts, stock figures); a test asks for them.
    SHOP_RESTOCK_SECONDS: "0",
    ...options.env,
  });
  const database = options.database ?? (await createTestDatabase(kind, ["shop"]));
  const shop = await createShop({
    db: database.db,
    config,
    masterKey,
    clock: options.clock,
    random: options.random,
    mailer: options.mailer,
  });
  const server = serve({ fetch: shop.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    shop,
    database,
    config,
    masterKey,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await shop.outbox.idle();
      shop.close();
      if (!options.database) await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

let nextAddress = 1;

/**
 * A browser-like client: keeps the shop's cookies and sends its own synthetic client
 * address (198.18.0.0/15) so per-address limits apply per client.
 */
export class ShopClient {
  readonly cookies = new Map<string, string>();
  readonly address: string;

  constructor(
    readonly baseUrl: string,
    address?: string,
  ) {
    const n = nextAddress++;
    this.address = address ?? `198.18.${(n >> 8) & 255}.${n & 255}`;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        "x-forwarded-for": this.address,
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, value] = pair!.split("=") as [string, string];
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim())) || value === "";
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = unknown>(path: string, headers?: Record<string, string>) {
    return this.request<T>("GET", path, undefined, headers);
  }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>("POST", path, body, headers);
  }
}

async function mailbox(baseUrl: string, email: string): Promise<Array<{ id: string; text: string }>> {
  const response = await fetch(`${baseUrl}/__test/mailbox?to=${encodeURIComponent(email)}`, {
    headers: { "x-test-hooks-token": HOOKS_TOKEN },
  });
  return ((await response.json()) as { messages: Array<{ id: string; text: string }> }).messages;
}

/** Ids of the mail `email` has received so far (to tell the next mail apart). */
export async function mailIds(baseUrl: string, email: string): Promise<Set<string>> {
  return new Set((await mailbox(baseUrl, email)).map((m) => m.id));
}

/**
 * Reads the OTP code of the newest mail to `email` not in `seen` from the capture mailbox,
 * waiting up to `timeoutMs` (mail goes out in the background).
 */
export async function readOtpCode(
  baseUrl: string,
  email: string,
  seen: ReadonlySet<string> = new Set(),
  timeoutMs = 5000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = (await mailbox(baseUrl, email)).filter((m) => !seen.has(m.id));
    const code = fresh.map((m) => otpCodeFromMail(m.text)).find((c) => c !== undefined);
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`no OTP mail for ${email} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Logs `client` in as `email` through the real OTP flow. */
export async function logIn(client: ShopClient, email: string): Promise<void> {
  const seen = await mailIds(client.baseUrl, email);
  const requested = await client.post<{ challengeId: string }>("/api/auth/otp/request", { email });
  if (requested.status !== 200)
    throw new Error(`otp request: ${requested.status} ${JSON.stringify(requested.body)}`);
  const code = await readOtpCode(client.baseUrl, email, seen);
  const verified = await client.post("/api/auth/otp/verify", {
    challengeId: requested.body.challengeId,
    code,
  });
  if (verified.status !== 200)
    throw new Error(`otp verify: ${verified.status} ${JSON.stringify(verified.body)}`);
}

/**
 * A client already logged in as `email`, with a session made directly in the shop's session
 * store (for tests that need many customers at once; the OTP flow has its own tests).
 */
export async function loggedInClient(t: TestShop, email: string): Promise<ShopClient> {
  const { customers } = await import("../../db/schema/shop.ts");
  const { eq } = await import("drizzle-orm");
  const [customer] = await t.database.db
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.email, email));
  if (!customer) throw new Error(`no customer ${email}`);
  const client = new ShopClient(t.url);
  client.cookies.set("shop_session", await t.shop.sessions.create(customer.id));
  return client;
}
