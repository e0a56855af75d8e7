import { pgSchema } from "drizzle-orm/pg-core";

/** Alert rules, alert state, silences, channels and the delivery log: the hub's alerting domain. */
export const alerting = pgSchema("alerting");
