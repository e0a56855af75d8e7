import { type Probe, ProbeSchema } from "../core/probe.ts";

export interface DefaultProbesOptions {
  shopUrl: string;
  /** The shop's test-hooks token; without it the login flow cannot read its code and is left out. */
  testHooksToken: string | undefined;
  /** Seeded customers are customer1..N@shop.test. */
  customers: number;
}

/**
 * The probes that watch the reference shop when no probe file is given: the pages a customer
 * sees (home listing, product detail, search, cart) and the login + checkout flow. Every
 * request carries an X-Forwarded-For address from 198.18.0.0/15, one per visitor, so the
 * shop's per-address limits see probes as distinct visitors, never as one noisy client.
 */
export function defaultProbes(options: DefaultProbesOptions): Probe[] {
  const shop = options.shopUrl.replace(/\/$/, "");
  const visitor = { "x-forwarded-for": "{{syntheticIp}}" };
  const asVisitor = { "x-forwarded-for": "{{ip}}" };
  const firstProduct = {
    name: "list",
    url: `${shop}/api/products?page=1&pageSize=12`,
    headers: asVisitor,
    assertions: [{ type: "status", in: [200] }],
    capture: [{ name: "productId", from: "json", path: "items[0].id" }],
  };
  const definitions: unknown[] = [
    {
      kind: "http",
      name: "shop-home",
      interval: "10s",
      timeout: "5s",
      url: `${shop}/api/products?page=1&pageSize=12`,
      headers: visitor,
      assertions: [
        { type: "status", in: [200] },
        { type: "jsonPathCompare", path: "total", op: ">", value: 0 },
        { type: "latencyBelow", ms: 2000 },
      ],
    },
    {
      kind: "flow",
      name: "shop-product",
      interval: "15s",
      timeout: "8s",
      vars: { ip: "{{syntheticIp}}" },
      steps: [
        firstProduct,
        {
          name: "detail",
          url: `${shop}/api/products/{{productId}}`,
          headers: asVisitor,
          assertions: [
            { type: "status", in: [200] },
            { type: "jsonPathExists", path: "priceCents" },
          ],
        },
      ],
    },
    {
      kind: "http",
      name: "shop-search",
      interval: "15s",
      timeout: "5s",
      url: `${shop}/api/search?q=telescope&limit=5`,
      headers: visitor,
      assertions: [
        { type: "status", in: [200] },
        { type: "jsonPathExists", path: "items" },
      ],
    },
    {
      kind: "flow",
      name: "shop-cart",
      interval: "15s",
      timeout: "8s",
      vars: { ip: "{{syntheticIp}}" },
      steps: [
        firstProduct,
        {
          name: "add",
          method: "POST",
          url: `${shop}/api/cart/items`,
          headers: asVisitor,
          body: { productId: "{{productId}}", quantity: 1 },
          assertions: [{ type: "status", in: [201] }],
        },
        {
          name: "view",
          url: `${shop}/api/cart`,
          headers: asVisitor,
          assertions: [
            { type: "status", in: [200] },
            { type: "jsonPathCompare", path: "totalCents", op: ">", value: 0 },
          ],
        },
        { name: "empty", method: "DELETE", url: `${shop}/api/cart`, headers: asVisitor },
      ],
    },
  ];
  if (options.testHooksToken)
    definitions.push(loginCheckoutFlow(shop, options.testHooksToken, options.customers));
  return definitions.map((d) => ProbeSchema.parse(d));
}

/** OTP login through the shop's capture mailbox, add to cart, check out. */
export function loginCheckoutFlow(shop: string, testHooksToken: string, customers: number): unknown {
  const asVisitor = { "x-forwarded-for": "{{ip}}" };
  return {
    kind: "flow",
    name: "shop-checkout",
    interval: "30s",
    timeout: "20s",
    vars: { ip: "{{syntheticIp}}", email: `customer{{randomInt 1 ${customers}}}@shop.test` },
    steps: [
      {
        name: "request-code",
        method: "POST",
        url: `${shop}/api/auth/otp/request`,
        headers: asVisitor,
        body: { email: "{{email}}" },
        assertions: [{ type: "status", in: [200] }],
        capture: [{ name: "challengeId", from: "json", path: "challengeId" }],
      },
      {
        name: "read-code",
        url: `${shop}/__test/mailbox?to={{email}}`,
        headers: { "x-test-hooks-token": testHooksToken },
        assertions: [{ type: "status", in: [200] }],
        // Newest first; the mail may land a moment after the request returns.
        capture: [{ name: "code", from: "json", path: "messages[0].text", regex: "Your code: (\\d{6})" }],
        retry: { attempts: 10, delay: "200ms" },
      },
      {
        name: "verify",
        method: "POST",
        url: `${shop}/api/auth/otp/verify`,
        headers: asVisitor,
        body: { challengeId: "{{challengeId}}", code: "{{code}}" },
        assertions: [
          { type: "status", in: [200] },
          { type: "header", name: "content-type", pattern: "json" },
        ],
      },
      {
        name: "list",
        url: `${shop}/api/products?page=1&pageSize=12`,
        headers: asVisitor,
        capture: [{ name: "productId", from: "json", path: "items[0].id" }],
      },
      {
        name: "add-to-cart",
        method: "POST",
        url: `${shop}/api/cart/items`,
        headers: asVisitor,
        body: { productId: "{{productId}}", quantity: 1 },
        assertions: [{ type: "status", in: [201] }],
      },
      {
        name: "checkout",
        method: "POST",
        url: `${shop}/api/checkout`,
        headers: { ...asVisitor, "idempotency-key": "{{uuid}}" },
        body: { currency: "USD" },
        assertions: [
          { type: "status", in: [201] },
          { type: "jsonPathExists", path: "orderId" },
        ],
      },
    ],
  };
}
