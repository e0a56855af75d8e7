import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

/** The shop's tables live in their own Postgres schema, apart from the hub's. */
export const shop = pgSchema("shop");

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** The text search ranks over; the same expression backs the GIN index and the queries. */
export const productSearchDocument = sql`to_tsvector('english', name || ' ' || category || ' ' || description)`;

export const products = shop.table(
  "products",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    sku: text("sku").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    category: text("category").notNull(),
    /** In minor units of `currency`. */
    priceCents: bigint("price_cents", { mode: "number" }).notNull(),
    currency: text("currency").notNull().default("USD"),
    stock: integer("stock").notNull(),
    imageUrl: text("image_url").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("products_category_idx").on(t.category, t.name),
    index("products_price_idx").on(t.priceCents),
    index("products_search_idx").using("gin", productSearchDocument),
  ],
);
export type ProductRow = typeof products.$inferSelect;

/**
 * Customers. Personal data is stored only as envelope-encrypted blobs (core/crypto);
 * the email stays plain because login looks it up.
 */
export const customers = shop.table("customers", {
  id: uuid().primaryKey().default(sql`gen_random_uuid()`),
  email: text().notNull().unique(),
  nameEnc: text(),
  addressEnc: text(),
  phoneEnc: text(),
  /** After this instant the account can no longer log in. */
  accessExpiresAt: timestamp({ withTimezone: true }),
  createdAt: createdAt(),
});
export type CustomerRow = typeof customers.$inferSelect;

/** Stored payment tokens (what a card vault would hand back), encrypted. */
export const paymentMethods = shop.table("payment_methods", {
  id: uuid().primaryKey().default(sql`gen_random_uuid()`),
  customerId: uuid()
    .notNull()
    .references(() => customers.id, { onDelete: "cascade" }),
  tokenEnc: text().notNull(),
  brand: text().notNull(),
  last4: text().notNull(),
  createdAt: createdAt(),
});

/** Key-encryption keys, each wrapped by the master key; blobs name the one that wraps their data key. */
export const keyEncryptionKeys = shop.table("key_encryption_keys", {
  id: text().primaryKey(),
  wrappedKey: text().notNull(),
  /** The newest key wraps new data keys; older ones stay to read rows not yet re-wrapped. */
  state: text({ enum: ["active", "retired"] }).notNull(),
  createdAt: createdAt(),
});

export const otpChallenges = shop.table(
  "otp_challenges",
  {
    id: uuid().primaryKey(),
    email: text().notNull(),
    /** HMAC-SHA-256 of the code under the shop's OTP secret; never the code. */
    codeHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull(),
    consumedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("otp_challenges_expires_idx").on(t.expiresAt)],
);

export const sessions = shop.table(
  "sessions",
  {
    /** SHA-256 of the cookie's token. */
    tokenHash: text().primaryKey(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_customer_idx").on(t.customerId)],
);

export const carts = shop.table("carts", {
  id: uuid().primaryKey().default(sql`gen_random_uuid()`),
  /** Null while anonymous; set when the visitor logs in. One cart per customer. */
  customerId: uuid()
    .unique()
    .references(() => customers.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  updatedAt: createdAt(),
});

export const cartItems = shop.table(
  "cart_items",
  {
    cartId: uuid()
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    productId: uuid()
      .notNull()
      .references(() => products.id),
    quantity: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.cartId, t.productId] })],
);

export const orders = shop.table(
  "orders",
  {
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    status: text({ enum: ["pending", "paid", "payment_failed"] }).notNull(),
    subtotalCents: bigint({ mode: "number" }).notNull(),
    shippingCents: bigint({ mode: "number" }).notNull(),
    /** What the customer pays, in minor units of `currency`. */
    totalCents: bigint({ mode: "number" }).notNull(),
    currency: text().notNull(),
    idempotencyKey: text(),
    shippingEnc: text(),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [unique("orders_idempotency_key").on(t.customerId, t.idempotencyKey)],
);

export const orderItems = shop.table(
  "order_items",
  {
    orderId: uuid()
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    productId: uuid()
      .notNull()
      .references(() => products.id),
    quantity: integer().notNull(),
    unitPriceCents: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);

/** One row per charge attempt: an order is charged at most once. */
export const payments = shop.table("payments", {
  id: uuid().primaryKey().default(sql`gen_random_uuid()`),
  orderId: uuid()
    .notNull()
    .unique()
    .references(() => orders.id, { onDelete: "cascade" }),
  outcome: text({ enum: ["succeeded", "declined", "unreachable"] }).notNull(),
  amountCents: bigint({ mode: "number" }).notNull(),
  currency: text().notNull(),
  providerRef: text(),
  createdAt: createdAt(),
});

/** The embedded capture mailbox: mail the shop would have sent, readable through the test hook. */
export const mailMessages = shop.table(
  "mail_messages",
  {
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    to: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("mail_messages_to_idx").on(t.to, t.createdAt)],
);
