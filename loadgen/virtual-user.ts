import { CookieJar } from "./cookies.ts";

/** Seeded shop customers are `customer<N>@shop.test` for N in 1..this. */
export const SEEDED_CUSTOMERS = 2000;

/**
 * One simulated shopper: a distinct client address and customer account, and cookies kept
 * across iterations so a returning shopper stays logged in (OTP logins at a realistic rate).
 */
export class VirtualUser {
  readonly cookies = new CookieJar();
  /** Set by journeys once the shop accepted an OTP login. */
  loggedIn = false;
  readonly address: string;
  readonly email: string;

  constructor(
    readonly id: number,
    customers = SEEDED_CUSTOMERS,
  ) {
    this.address = syntheticAddress(id);
    this.email = `customer${(id % customers) + 1}@shop.test`;
  }
}

/**
 * A distinct address per user from 198.18.0.0/15 (RFC 2544, reserved for benchmarking), sent
 * as X-Forwarded-For so the shop's per-address rate limits see many shoppers, not one.
 */
export function syntheticAddress(id: number): string {
  const n = (id % 131_070) + 1;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Where a process's users start: an offset from the run id (a new run, new shoppers) plus an
 * equal share of the customers per worker (the workers of a split run never share a shopper
 * until each has created customers/workers of them).
 */
export function firstUserOf(runId: string, workerIndex: number, workers: number, customers: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) h = Math.imul(h ^ runId.charCodeAt(i), 0x01000193) >>> 0;
  const share = Math.floor(customers / Math.max(1, workers));
  return (h + workerIndex * share) % customers;
}
