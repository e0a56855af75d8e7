import { sql } from "drizzle-orm";
import { bigint, integer, pgSchema, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The shop's tables live in their own Postgres schema, apart from the hub's. */
export const shop = pgSchema("shop");

export const products = shop.table("products", {
  id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
  sku: text("sku").notNull().unique(),
  name: text("name").notNull(),
  description: text("description").notNull(),
  category: text("category").notNull(),
  priceCents: bigint("price_cents", { mode: "number" }).notNull(),
  currency: text("currency").notNull().default("USD"),
  stock: integer("stock").notNull(),
  imageUrl: text("image_url").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
export type Product = typeof products.$inferSelect;
