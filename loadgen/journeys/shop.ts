/**
 * The built-in journeys over the shop's HTTP API (shared contract). Values flow between
 * steps: product ids from listings, the cart cookie, the OTP challenge id and code, the
 * session cookie kept by the virtual user across iterations.
 */
import type { builtinJourneys } from "../../core/profile.ts";
import { sleep } from "../clock.ts";
import { type JourneySession, parseJson } from "./session.ts";

export type JourneyRun = (s: JourneySession) => Promise<void>;

interface ProductList {
  items: { id: string }[];
  page: number;
  pageSize: number;
  total: number;
}

const SEARCH_WORDS = ["lamp", "chair", "mug", "shirt", "coffee", "book", "blue", "wood", "gift", "wool"];
const PAGE_SIZE = 20;

function randomOf<T>(items: ReadonlyArray<T>): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** Lists a random page of products and remembers their ids; returns one of them. */
async function listProducts(s: JourneySession, category?: string): Promise<string | undefined> {
  const { catalog } = s.ctx;
  const page = 1 + Math.floor(Math.random() * catalog.totalPages);
  const query = `page=${page}&pageSize=${PAGE_SIZE}${category ? `&category=${encodeURIComponent(category)}` : ""}`;
  const r = await s.request("products", { path: `/api/products?${query}`, read: true });
  if (!r) return undefined;
  const list = parseJson<ProductList>(r.body);
  if (!list || !Array.isArray(list.items))
    return s.fail("product_list", "product listing has no items array");
  if (!category) catalog.totalPages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const ids = list.items.map((p) => String(p.id));
  catalog.remember(ids, category || !Number.isFinite(list.total) ? undefined : list.total);
  return ids.length > 0 ? randomOf(ids) : catalog.pick();
}

async function viewProduct(s: JourneySession): Promise<string | undefined> {
  const id = s.ctx.catalog.pick() ?? (await listProducts(s));
  if (!id) return undefined;
  await s.think();
  const r = await s.request("product", { path: `/api/products/${encodeURIComponent(id)}` });
  return r ? id : undefined;
}

/** More lines than this and a shopper abandons the cart (see addToCart). */
const MAX_CART_LINES = 8;

async function addToCart(s: JourneySession): Promise<boolean> {
  const id = await viewProduct(s);
  if (!id) return false;
  await s.think();
  const add = () =>
    s.request("cart_add", {
      method: "POST",
      path: "/api/cart/items",
      json: { productId: id, quantity: 1 + Math.floor(Math.random() * 2) },
      expect: [200, 201],
      read: true,
    });
  const r = await add();
  if (!r) return false;
  // Shoppers abandon big carts and start again with the product in hand; without this a
  // long-lived virtual user's cart grows forever. The product goes back in (a second cart_add
  // request in the step counts, with a new quantity), so a checkout that follows never finds
  // the cart empty.
  const cart = parseJson<{ items: unknown[] }>(r.body);
  if (cart && Array.isArray(cart.items) && cart.items.length > MAX_CART_LINES) {
    if (!(await s.request("cart_clear", { method: "DELETE", path: "/api/cart", expect: [200, 204] })))
      return false;
    return (await add()) !== undefined;
  }
  return true;
}

/** Logs in with an emailed one-time code read from the shop's capture mailbox. */
async function login(s: JourneySession): Promise<boolean> {
  const { vu } = s;
  if (vu.loggedIn && vu.cookies.has("shop_session")) return true;
  // Only a message mailed after this request carries our code: older ones (earlier runs,
  // earlier attempts) are still in the mailbox and mail is delivered asynchronously.
  const since = Date.now() - 50;
  const requested = await s.request("otp_request", {
    method: "POST",
    path: "/api/auth/otp/request",
    json: { email: vu.email },
    read: true,
  });
  if (!requested) return false;
  const challengeId = parseJson<{ challengeId?: string }>(requested.body)?.challengeId;
  if (!challengeId) return s.fail("otp_challenge", "OTP request answered without a challengeId") ?? false;
  const code = await readCode(s, since);
  if (!code) return s.fail("otp_code_mailed", "no OTP code arrived in the capture mailbox") ?? false;
  const verified = await s.request("otp_verify", {
    method: "POST",
    path: "/api/auth/otp/verify",
    json: { challengeId, code },
  });
  vu.loggedIn = verified !== undefined;
  return vu.loggedIn;
}

/** The newest code mailed to the user; mail may land a moment after the request, so poll briefly. */
async function readCode(s: JourneySession, since: number): Promise<string | undefined> {
  const token = s.ctx.testHooksToken;
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = await s.request("otp_mailbox", {
      path: `/__test/mailbox?to=${encodeURIComponent(s.vu.email)}`,
      headers: token ? { "x-test-hooks-token": token } : {},
      read: true,
    });
    if (!r) return undefined;
    const messages =
      parseJson<{ messages?: { text?: string; createdAt?: string }[] }>(r.body)?.messages ?? [];
    for (const m of messages) {
      if (!(Date.parse(m.createdAt ?? "") >= since)) continue;
      const match = /Your code: (\d{6,})/.exec(m.text ?? "");
      if (match) return match[1];
    }
    await sleep(100 * (attempt + 1), s.ctx.signal);
  }
  return undefined;
}

async function checkout(s: JourneySession): Promise<void> {
  if (!(await addToCart(s))) return;
  await s.think();
  if (!(await s.request("cart_view", { path: "/api/cart" }))) return;
  await s.think();
  if (!(await login(s))) return;
  const attempt = async () =>
    s.request("checkout", {
      method: "POST",
      path: "/api/checkout",
      headers: { "idempotency-key": crypto.randomUUID() },
      json: { currency: "USD" },
      expect: [201],
    });
  await attempt();
}

/** The built-in journeys by name (profiles refer to them by these names). */
export const shopJourneys: Record<(typeof builtinJourneys)[number], JourneyRun> = {
  home: async (s) => {
    if (!(await s.request("categories", { path: "/api/categories" }))) return;
    await listProducts(s);
  },
  browse: async (s) => {
    const r = await s.request("categories", { path: "/api/categories", read: true });
    if (!r) return;
    const categories = parseJson<{ categories?: string[] }>(r.body)?.categories ?? [];
    await s.think();
    await listProducts(s, categories.length > 0 ? randomOf(categories) : undefined);
  },
  search: async (s) => {
    await s.request("search", { path: `/api/search?q=${randomOf(SEARCH_WORDS)}&limit=10` });
  },
  product: async (s) => {
    await viewProduct(s);
  },
  recommendations: async (s) => {
    const id = await viewProduct(s);
    if (!id) return;
    await s.request("recommendations", { path: `/api/recommendations?productId=${encodeURIComponent(id)}` });
  },
  view_cart: async (s) => {
    await s.request("cart_view", { path: "/api/cart" });
  },
  add_to_cart: async (s) => {
    await addToCart(s);
  },
  checkout,
};
