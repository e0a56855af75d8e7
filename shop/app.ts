import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { limitBody } from "../core/http/body-limit.ts";
import { rejectUnsafeUrls } from "../core/http/safe-url.ts";
import { RateLimiter } from "../core/rate-limit.ts";
import { loggableMessage } from "../db/loggable-error.ts";
import type { Db } from "../db/open.ts";
import { countQueries } from "../db/query-counter.ts";
import { deriveOtpSecret } from "./auth/otp-secret.ts";
import { OtpService } from "./auth/otp-service.ts";
import { authRoutes } from "./auth/routes.ts";
import { loadSession } from "./auth/session-middleware.ts";
import { SessionStore } from "./auth/session-store.ts";
import { CartStore } from "./cart/cart-store.ts";
import { cartRoutes } from "./cart/routes.ts";
import { Catalog } from "./catalog/catalog.ts";
import { CatalogCache } from "./catalog/catalog-cache.ts";
import { restockLowProducts } from "./catalog/restock.ts";
import { catalogRoutes } from "./catalog/routes.ts";
import { seedShop } from "./catalog/seed.ts";
import { CheckoutService } from "./checkout/checkout-service.ts";
import { PaymentSimulator } from "./checkout/payment-simulator.ts";
import { checkoutRoutes } from "./checkout/routes.ts";
import type { ShopConfig } from "./config.ts";
import { Keyring } from "./crypto/keyring.ts";
import { rotateKeys } from "./crypto/rotate.ts";
import { customerAdminRoutes } from "./customers/admin-routes.ts";
import { faultEffects, Leak } from "./faults/effects.ts";
import { faultRoutes } from "./faults/routes.ts";
import { Switchboard } from "./faults/switchboard.ts";
import { requireBearer } from "./http/bearer.ts";
import type { ShopEnv } from "./http/env.ts";
import { renderError, ShopError } from "./http/errors.ts";
import { mailboxRoutes } from "./mail/mailbox-routes.ts";
import { createMailer, type Mailer } from "./mail/mailer.ts";
import { Outbox } from "./mail/outbox.ts";
import { ShopMetrics } from "./metrics.ts";

export interface ShopDeps {
  db: Db;
  config: ShopConfig;
  /** 32 bytes; wraps the key-encryption keys and derives the OTP HMAC secret. */
  masterKey: Buffer;
  /** Injected clock (tests move time); defaults to the wall clock. */
  clock?: () => Date;
  /** Randomness for fault probabilities (not for secrets). */
  random?: () => number;
  /** Replaces the configured mailer (tests). */
  mailer?: Mailer;
}

/** A built shop: the Hono app plus the parts tests and main need to reach. */
export interface Shop {
  app: Hono<ShopEnv>;
  faults: Switchboard;
  metrics: ShopMetrics;
  keyring: Keyring;
  outbox: Outbox;
  sessions: SessionStore;
  leak: Leak;
  /** Stops timers and the mail transport. Does not close the database. */
  close(): void;
}

/** Builds the shop: opens the keyring, seeds an empty database, wires routes. `main.ts` listens. */
export async function createShop(deps: ShopDeps): Promise<Shop> {
  const { db, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const nowMs = () => clock().getTime();
  const random = deps.random ?? Math.random;

  const keyring = new Keyring(db, deps.masterKey, nowMs);
  await keyring.init();
  await seedShop(db, keyring, { products: config.SHOP_SEED_PRODUCTS, customers: config.SHOP_SEED_CUSTOMERS });

  const metrics = new ShopMetrics();
  countQueries(db, () => metrics.dbQueries.inc());
  const faults = new Switchboard(nowMs);
  const leak = new Leak();
  faults.onOff((name) => name === "memory_leak" && leak.release());
  const sweeper = setInterval(() => faults.sweep(), 1000);
  sweeper.unref();

  const mailer =
    deps.mailer ??
    createMailer({
      smtpUrl: config.SMTP_URL,
      from: config.SHOP_MAIL_FROM,
      db,
      capture: Boolean(config.SHOP_TEST_HOOKS_TOKEN),
    });
  const outbox = new Outbox(mailer);
  const sessions = new SessionStore(
    db,
    {
      idleTimeoutMs: config.SHOP_SESSION_IDLE_MINUTES * 60_000,
      absoluteTimeoutMs: config.SHOP_SESSION_ABSOLUTE_HOURS * 3_600_000,
      touchIntervalMs: 60_000,
    },
    clock,
  );
  const minute = 60_000;
  const otp = new OtpService({
    db,
    secret: deriveOtpSecret(deps.masterKey),
    policy: { ttlMs: config.SHOP_OTP_TTL_SECONDS * 1000, maxAttempts: 5 },
    outbox,
    metrics,
    now: clock,
    limits: {
      requestPerAddress: new RateLimiter(config.SHOP_RATE_OTP_REQUEST_PER_ADDRESS, minute, nowMs),
      verifyPerAddress: new RateLimiter(config.SHOP_RATE_OTP_VERIFY_PER_ADDRESS, minute, nowMs),
      requestPerAccountAndAddress: new RateLimiter(
        config.SHOP_RATE_OTP_REQUEST_PER_ACCOUNT,
        10 * minute,
        nowMs,
      ),
      failuresPerAccountAndAddress: new RateLimiter(
        config.SHOP_LOCKOUT_FAILURES,
        config.SHOP_LOCKOUT_MINUTES * minute,
        nowMs,
      ),
    },
  });
  const checkProduct = (productId: string) => {
    const failing = faults.get("failing_product");
    if (failing && failing.productId === productId) {
      throw new ShopError(
        failing.status,
        "injected_fault",
        `fault switch "failing_product" fails product ${productId}`,
      );
    }
  };
  const soldOut = () => faults.get("stock_out")?.productId;
  const carts = new CartStore(db);
  const catalogCache = new CatalogCache({
    ttlMs: config.SHOP_CATALOG_CACHE_SECONDS * 1000,
    maxEntries: config.SHOP_CATALOG_CACHE_ENTRIES,
    now: nowMs,
    bypass: () => faults.get("cache_flush") !== undefined,
    onLookup: (outcome) => metrics.catalogCache.labels(outcome).inc(),
  });
  const catalog = new Catalog(db, catalogCache);
  const restockPolicy = { below: config.SHOP_RESTOCK_BELOW, to: config.SHOP_RESTOCK_TO };
  const deliver = async () => {
    try {
      const restocked = await restockLowProducts(db, restockPolicy);
      for (const id of restocked) catalog.productChanged(id);
      metrics.restocked.inc(restocked.length);
    } catch (error) {
      console.error(`shop: restocking failed: ${loggableMessage(error)}`);
    }
  };
  const deliveries =
    config.SHOP_RESTOCK_SECONDS > 0 ? setInterval(deliver, config.SHOP_RESTOCK_SECONDS * 1000) : undefined;
  deliveries?.unref();
  const checkout = new CheckoutService({
    db,
    keyring,
    payments: new PaymentSimulator(faults, config.SHOP_PAYMENT_TIMEOUT_MS, random),
    outbox,
    metrics,
    checkProduct,
    soldOut,
    onStockChange: (productId) => catalog.productChanged(productId),
  });
  const trustProxy = config.SHOP_TRUST_PROXY;

  const app = new Hono<ShopEnv>();
  app.use("*", requestId());
  app.use("*", rejectUnsafeUrls());
  app.use("*", metrics.middleware());
  app.use("*", limitBody(config.SHOP_BODY_LIMIT_BYTES));
  app.use("/api/*", faultEffects(faults, leak, random));
  // Only where the customer matters: catalog reads answer the same for everyone, so a logged-in
  // shopper's product page costs no statement (the session's idle clock runs on cart, account
  // and checkout activity). A `/x/*` pattern matches `/x` too, so each prefix is named once.
  const session = loadSession(sessions);
  for (const path of ["/api/cart/*", "/api/auth/*", "/api/me", "/api/checkout/*"]) app.use(path, session);
  app.route("/api", catalogRoutes({ catalog, checkProduct, soldOut }));
  app.route("/api/cart", cartRoutes({ carts, trustProxy, checkProduct, soldOut }));
  app.route(
    "/api",
    authRoutes({
      db,
      otp,
      sessions,
      carts,
      keyring,
      trustProxy,
      testHooksToken: config.SHOP_TEST_HOOKS_TOKEN,
    }),
  );
  app.route("/api/checkout", checkoutRoutes(checkout));

  app.use("/admin/*", requireBearer(config.SHOP_ADMIN_TOKEN));
  app.route("/admin/faults", faultRoutes(faults));
  app.route("/admin/customers", customerAdminRoutes(db, clock));
  app.post("/admin/keys/rotate", async (c) => c.json(await rotateKeys(db, keyring)));
  if (config.SHOP_TEST_HOOKS_TOKEN) app.route("/__test", mailboxRoutes(db, config.SHOP_TEST_HOOKS_TOKEN));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (faults.get("readiness"))
      return c.json({ status: "not_ready", reason: "readiness fault switch" }, 503);
    try {
      await db.execute(sql`select 1`);
    } catch {
      return c.json({ status: "not_ready", reason: "database unreachable" }, 503);
    }
    return c.json({ status: "ready" });
  });
  app.get("/metrics", async (c) => {
    c.header("content-type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  app.notFound((c) =>
    c.json(
      { code: "not_found", message: `no route ${c.req.method} ${c.req.path}`, requestId: c.get("requestId") },
      404,
    ),
  );
  app.onError(renderError);

  return {
    app,
    faults,
    metrics,
    keyring,
    outbox,
    sessions,
    leak,
    close: () => {
      clearInterval(sweeper);
      clearInterval(deliveries);
      mailer.close();
      leak.release();
    },
  };
}
