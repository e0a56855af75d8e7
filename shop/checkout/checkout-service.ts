import { randomUUID } from "node:crypto";
import { and, asc, eq, gte, sql } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import type { CheckoutBody, CheckoutResponse, Currency } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import {
  cartItems,
  carts,
  orderItems,
  orders,
  paymentMethods,
  payments,
  products,
} from "../../db/schema/shop.ts";
import { fieldContext } from "../crypto/encrypted-fields.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { ShopError } from "../http/errors.ts";
import type { Outbox } from "../mail/outbox.ts";
import type { ShopMetrics } from "../metrics.ts";
import type { PaymentSimulator } from "./payment-simulator.ts";
import { convertFromUsdCents, minorDigits, shippingQuoteCents } from "./pricing.ts";

export interface CheckoutDeps {
  db: Db;
  keyring: Keyring;
  payments: PaymentSimulator;
  outbox: Outbox;
  metrics: ShopMetrics;
  /** Throws when a product is switched to fail (failing_product fault). */
  checkProduct: (productId: string) => void;
  /** Told after a product's stock changed (the catalog cache forgets its page). */
  onStockChange?: (productId: string) => void;
}

export interface Buyer {
  customerId: string;
  email: string;
}

type OrderRow = typeof orders.$inferSelect;

const formatMoney = (minor: number, currency: Currency) =>
  `${(minor / 10 ** minorDigits[currency]).toFixed(minorDigits[currency])} ${currency}`;

/** Whether an error (or its cause) is a Postgres unique violation. */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return true;
  }
  return false;
}

/**
 * Checkout in three steps, so no lock is held while the payment provider thinks:
 * 1. one transaction decrements stock conditionally (`stock >= quantity`, so concurrent
 *    checkouts can never oversell) and writes the order as pending;
 * 2. the payment is charged, at most once per order;
 * 3. the order is marked paid and the cart emptied, or failed and its stock put back.
 * An Idempotency-Key maps a retry onto the first attempt's order and answer.
 */
export class CheckoutService {
  constructor(private readonly deps: CheckoutDeps) {}

  async checkout(
    buyer: Buyer,
    body: CheckoutBody,
    idempotencyKey: string | undefined,
  ): Promise<CheckoutResponse> {
    if (idempotencyKey) {
      const previous = await this.findByKey(buyer.customerId, idempotencyKey);
      if (previous) return this.answer(previous);
    }
    let order: OrderRow;
    try {
      order = await this.reserve(buyer, body, idempotencyKey);
    } catch (error) {
      if (idempotencyKey && isUniqueViolation(error)) {
        const previous = await this.findByKey(buyer.customerId, idempotencyKey);
        if (previous) return this.answer(previous);
      }
      if (error instanceof AppError && error.code === "conflict")
        this.deps.metrics.checkouts.labels("out_of_stock").inc();
      throw error;
    }
    return this.pay(buyer, order);
  }

  private async findByKey(customerId: string, key: string): Promise<OrderRow | undefined> {
    const [row] = await this.deps.db
      .select()
      .from(orders)
      .where(and(eq(orders.customerId, customerId), eq(orders.idempotencyKey, key)));
    return row;
  }

  private answer(order: OrderRow): CheckoutResponse {
    if (order.status === "payment_failed")
      throw new ShopError(402, "payment_failed", "the payment was declined");
    if (order.status === "pending")
      throw new AppError("conflict", "a checkout with this Idempotency-Key is in progress");
    return {
      orderId: order.id,
      totalCents: order.totalCents,
      currency: order.currency as Currency,
      status: order.status,
    };
  }

  private async reserve(
    buyer: Buyer,
    body: CheckoutBody,
    idempotencyKey: string | undefined,
  ): Promise<OrderRow> {
    const { db, keyring } = this.deps;
    const lines = await db
      .select({
        productId: cartItems.productId,
        quantity: cartItems.quantity,
        priceCents: products.priceCents,
        name: products.name,
      })
      .from(cartItems)
      .innerJoin(carts, eq(carts.id, cartItems.cartId))
      .innerJoin(products, eq(products.id, cartItems.productId))
      .where(eq(carts.customerId, buyer.customerId))
      .orderBy(asc(cartItems.productId));
    if (lines.length === 0) throw new AppError("bad_request", "the cart is empty");
    for (const line of lines) this.deps.checkProduct(line.productId);
    const currency = body.currency ?? "USD";
    const subtotal = lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
    const itemCount = lines.reduce((sum, l) => sum + l.quantity, 0);
    const shipping = shippingQuoteCents({
      itemCount,
      subtotalCents: subtotal,
      country: body.shipping?.country,
    });
    const orderId = randomUUID();
    const shippingEnc = body.shipping
      ? await keyring.encrypt(JSON.stringify(body.shipping), fieldContext("orders", "shipping", orderId))
      : null;
    const order: OrderRow = {
      id: orderId,
      customerId: buyer.customerId,
      status: "pending",
      subtotalCents: convertFromUsdCents(subtotal, currency),
      shippingCents: convertFromUsdCents(shipping, currency),
      totalCents: convertFromUsdCents(subtotal + shipping, currency),
      currency,
      idempotencyKey: idempotencyKey ?? null,
      shippingEnc,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await db.transaction(async (tx) => {
      // Rows are taken in product-id order, so two checkouts never deadlock on each other.
      for (const line of lines) {
        const taken = await tx
          .update(products)
          .set({ stock: sql`${products.stock} - ${line.quantity}` })
          .where(and(eq(products.id, line.productId), gte(products.stock, line.quantity)))
          .returning({ id: products.id });
        if (taken.length === 0) throw new AppError("conflict", `not enough stock of ${line.name}`);
      }
      // The order and its lines in one statement.
      const { createdAt: _c, updatedAt: _u, ...values } = order;
      const inserted = tx.$with("inserted").as(tx.insert(orders).values(values).returning({ id: orders.id }));
      await tx
        .with(inserted)
        .insert(orderItems)
        .select(
          tx
            .select({
              orderId: inserted.id,
              productId: sql`unnest(${sql.param(lines.map((l) => l.productId))}::uuid[])`.as("product_id"),
              quantity: sql`unnest(${sql.param(lines.map((l) => l.quantity))}::int[])`.as("quantity"),
              unitPriceCents: sql`unnest(${sql.param(lines.map((l) => l.priceCents))}::bigint[])`.as(
                "unit_price_cents",
              ),
            })
            .from(inserted),
        );
    });
    for (const line of lines) this.deps.onStockChange?.(line.productId);
    return order;
  }

  private async pay(buyer: Buyer, order: OrderRow): Promise<CheckoutResponse> {
    const { db, keyring, metrics } = this.deps;
    const [method] = await db
      .select({ id: paymentMethods.id, tokenEnc: paymentMethods.tokenEnc })
      .from(paymentMethods)
      .where(eq(paymentMethods.customerId, buyer.customerId))
      .limit(1);
    const paymentToken = method
      ? await keyring.decrypt(method.tokenEnc, fieldContext("payment_methods", "token", method.id))
      : "none";
    const result = await this.deps.payments.charge({
      orderId: order.id,
      amountCents: order.totalCents,
      currency: order.currency,
      paymentToken,
    });
    metrics.payments.labels(result.outcome).inc();
    // The unique order id on payments makes a second charge of one order impossible.
    await db.insert(payments).values({
      orderId: order.id,
      outcome: result.outcome,
      amountCents: order.totalCents,
      currency: order.currency,
      providerRef: result.outcome === "succeeded" ? result.reference : null,
    });
    if (result.outcome !== "succeeded") {
      await this.release(order.id);
      metrics.checkouts.labels("payment_failed").inc();
      if (result.outcome === "unreachable") {
        throw new ShopError(504, "payment_timeout", "the payment provider did not answer in time");
      }
      throw new ShopError(402, "payment_failed", "the payment was declined");
    }
    await db.transaction(async (tx) => {
      await tx.update(orders).set({ status: "paid", updatedAt: new Date() }).where(eq(orders.id, order.id));
      const [cart] = await tx
        .select({ id: carts.id })
        .from(carts)
        .where(eq(carts.customerId, buyer.customerId));
      if (cart) await tx.delete(cartItems).where(eq(cartItems.cartId, cart.id));
    });
    metrics.checkouts.labels("paid").inc();
    this.deps.outbox.enqueue({
      to: buyer.email,
      subject: `Order confirmed: ${order.id}`,
      text: `Thank you for your order ${order.id}.\nTotal: ${formatMoney(order.totalCents, order.currency as Currency)}\n`,
    });
    return {
      orderId: order.id,
      totalCents: order.totalCents,
      currency: order.currency as Currency,
      status: "paid",
    };
  }

  /** Puts a failed order's stock back and marks it failed, in one transaction. */
  private async release(orderId: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const items = await tx
        .select()
        .from(orderItems)
        .where(eq(orderItems.orderId, orderId))
        .orderBy(asc(orderItems.productId));
      for (const item of items) {
        await tx
          .update(products)
          .set({ stock: sql`${products.stock} + ${item.quantity}` })
          .where(eq(products.id, item.productId));
      }
      await tx
        .update(orders)
        .set({ status: "payment_failed", updatedAt: new Date() })
        .where(eq(orders.id, orderId));
    });
  }
}
