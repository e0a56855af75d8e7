import type { Context } from "hono";
import { LOAD_GENERATOR_HEADER } from "../../core/shop-api.ts";
import { constantTimeEquals } from "./bearer.ts";

/**
 * Whether a request comes from this stack's own load generator: it carries the test-hooks token,
 * which already reads every customer's login code, so letting it name its simulated shoppers'
 * addresses (X-Forwarded-For) grants nothing more. Everyone else's X-Forwarded-For is ignored
 * unless SHOP_TRUST_PROXY says a proxy is in front. Always false when test hooks are off.
 */
export function fromLoadGenerator(c: Context, testHooksToken: string | undefined): boolean {
  const given = c.req.header(LOAD_GENERATOR_HEADER);
  return Boolean(testHooksToken && given && constantTimeEquals(given, testHooksToken));
}
