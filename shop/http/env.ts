import type { SessionCustomer } from "../auth/session-store.ts";

/** What the shop's middleware puts on each request's context. */
export type ShopEnv = {
  Variables: {
    requestId: string;
    /** The logged-in customer, or null for an anonymous visitor. */
    customer: SessionCustomer | null;
  };
};
