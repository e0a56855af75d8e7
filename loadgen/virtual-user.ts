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
