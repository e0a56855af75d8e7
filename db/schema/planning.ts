import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgSchema, text, uuid } from "drizzle-orm/pg-core";

/** Capacity measurements and the readiness verdicts drawn from them: the hub's planning domain. */
export const planning = pgSchema("planning");

/** Unix epoch milliseconds as a JS number. */
const epoch = (name: string) => bigint(name, { mode: "number" });

/**
 * One `peakwatch capacity` result, kept per target over time so a regression between releases
 * shows. `measurement` is a core/api/readiness.ts CapacityMeasurement, validated in and out.
 */
export const capacityMeasurements = planning.table(
  "capacity_measurements",
  {
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    target: text().notNull(),
    measuredAt: epoch("measured_at").notNull(),
    measurement: jsonb().notNull(),
    /** The agent or user that reported it. */
    reportedBy: text().notNull(),
    createdAt: epoch("created_at").notNull(),
  },
  (t) => [index().on(t.target, t.measuredAt)],
);
export type CapacityMeasurementRow = typeof capacityMeasurements.$inferSelect;
