import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import type { CheckoutBody, CheckoutResponse, Currency } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { rowsOf } from "../../db/rows.ts";
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
  /** The product the stock_out fault sells out, if it is on. */
  soldOut?: () => string | undefined;
  /** Told after a product's stock changed (the catalog cache forgets its page). */
  onStockChange?: (productId: string) => void;
}

export interface Buyer {
  customerId: string;
  email: string;
}

type OrderRow = typeof orders.$inferSelect;

/** A pending order with its stock taken, and the card on file to charge (if any). */
interface Reserved {
  order: OrderRow;
  paymentMethod: { id: string; tokenEnc: string } | undefined;
}

const formatMoney = (minor: number, currency: Currency) =>
  `${(minor / 10 ** minorDigits[currency]).toFixed(minorDigits[currency])} ${currency}`;

/** The checkout statement's way of saying "a line is short" (see reserve). */
const DIVISION_BY_ZERO = "22012";

/** Whether an error (or its cause, as drivers wrap it) carries the Postgres error `code`. */
function hasPgCode(error: unknown, code: string): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === code) return true;
  }
  return false;
}

/**
 * Checkout in three steps of one statement each, so no lock is held while the payment
 * provider thinks:
 * 1. one statement decrements stock conditionally (`stock >= quantity`, so concurrent
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
    let reserved: Reserved;
    try {
      reserved = await this.reserve(buyer, body, idempotencyKey);
    } catch (error) {
      // A twin with the same key got there first: its order took the key (unique violation), or
      // it already paid and emptied the cart ("the cart is empty"), or took the last stock. The
      // retry gets the twin's answer, whatever this attempt ran into.
      if (idempotencyKey) {
        const previous = await this.findByKey(buyer.customerId, idempotencyKey);
        if (previous) return this.answer(previous);
      }
      if (error instanceof AppError && error.code === "conflict")
        this.deps.metrics.checkouts.labels("out_of_stock").inc();
      throw error;
    }
    return this.pay(buyer, reserved);
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
  ): Promise<Reserved> {
    const { db, keyring } = this.deps;
    // The cart's lines and the card on file in one statement.
    const lines = await db
      .select({
        productId: cartItems.productId,
        quantity: cartItems.quantity,
        priceCents: products.priceCents,
        name: products.name,
        paymentMethodId: sql<
          string | null
        >`(select pm.id::text from ${paymentMethods} pm where pm.customer_id = ${buyer.customerId} order by pm.created_at limit 1)`,
        paymentTokenEnc: sql<
          string | null
        >`(select pm.token_enc from ${paymentMethods} pm where pm.customer_id = ${buyer.customerId} order by pm.created_at limit 1)`,
      })
      .from(cartItems)
      .innerJoin(carts, eq(carts.id, cartItems.cartId))
      .innerJoin(products, eq(products.id, cartItems.productId))
      .where(eq(carts.customerId, buyer.customerId))
      .orderBy(asc(cartItems.productId));
    if (lines.length === 0) throw new AppError("bad_request", "the cart is empty");
    for (const line of lines) this.deps.checkProduct(line.productId);
    const soldOut = this.deps.soldOut?.();
    const gone = soldOut === undefined ? undefined : lines.find((l) => l.productId === soldOut);
    // The answer a real sell-out gets (below), counted as out_of_stock by checkout().
    if (gone) throw new AppError("conflict", `not enough stock of ${gone.name} (fault switch "stock_out")`);
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
    const ids = sql.param(lines.map((l) => l.productId));
    const quantities = sql.param(lines.map((l) => l.quantity));
    const prices = sql.param(lines.map((l) => l.priceCents));
    // One statement takes the stock of every line (only where enough is left, so concurrent
    // checkouts never oversell) and writes the order and its lines. A statement is atomic by
    // itself, so no transaction holds the database across round trips: when a line is short,
    // the final select divides by zero (SQL has no RAISE outside PL/pgSQL), which aborts the
    // statement and undoes all of it.
    try {
      await db.execute(sql`
        with wanted as (
          select * from unnest(${ids}::uuid[], ${quantities}::int[], ${prices}::bigint[])
            with ordinality as w(product_id, quantity, unit_price_cents, n)
        ), taken as (
          update ${products} p set stock = p.stock - w.quantity
          from wanted w
          where p.id = w.product_id and p.stock >= w.quantity
          returning p.id
        ), complete as (
          select count(*) = ${lines.length} as ok from taken
        ), placed as (
          insert into ${orders} (id, customer_id, status, subtotal_cents, shipping_cents, total_cents, currency, idempotency_key, shipping_enc)
          select ${orderId}, ${buyer.customerId}, 'pending', ${order.subtotalCents}, ${order.shippingCents}, ${order.totalCents},
                 ${currency}, ${order.idempotencyKey}, ${shippingEnc}
          where (select ok from complete)
          returning id
        ), placed_lines as (
          insert into ${orderItems} (order_id, product_id, quantity, unit_price_cents)
          select placed.id, w.product_id, w.quantity, w.unit_price_cents from placed, wanted w
        )
        select 1 / (select ok::int from complete) as placed`);
    } catch (error) {
      if (!hasPgCode(error, DIVISION_BY_ZERO)) throw error;
      throw new AppError("conflict", `not enough stock of ${(await this.shortLine(lines)).name}`);
    }
    for (const line of lines) this.deps.onStockChange?.(line.productId);
    const [first] = lines;
    return {
      order,
      paymentMethod:
        first?.paymentMethodId && first.paymentTokenEnc
          ? { id: first.paymentMethodId, tokenEnc: first.paymentTokenEnc }
          : undefined,
    };
  }

  /** The first line whose product has less stock than the line wants (the first line if none now). */
  private async shortLine<L extends { productId: string; quantity: number }>(lines: L[]): Promise<L> {
    const stock = await this.deps.db
      .select({ id: products.id, stock: products.stock })
      .from(products)
      .where(
        inArray(
          products.id,
          lines.map((l) => l.productId),
        ),
      );
    const left = new Map(stock.map((p) => [p.id, p.stock]));
    return lines.find((l) => (left.get(l.productId) ?? 0) < l.quantity) ?? lines[0]!;
  }

  private async pay(buyer: Buyer, reserved: Reserved): Promise<CheckoutResponse> {
    const { db, keyring, metrics } = this.deps;
    const { order, paymentMethod: method } = reserved;
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
    // The charge is recorded (the unique order id on payments makes a second charge of one
    // order impossible) and the order settled in one statement: paid and the cart emptied, or
    // failed and its stock put back.
    const charge = sql`insert into ${payments} (order_id, outcome, amount_cents, currency, provider_ref)
      values (${order.id}, ${result.outcome}, ${order.totalCents}, ${order.currency},
              ${result.outcome === "succeeded" ? result.reference : null})`;
    if (result.outcome !== "succeeded") {
      const released = await db.execute(sql`
        with charged as (${charge} returning order_id),
        restocked as (
          update ${products} p set stock = p.stock + i.quantity
          from ${orderItems} i
          where i.order_id = ${order.id} and p.id = i.product_id and exists (select 1 from charged)
          returning p.id
        ), failed as (
          update ${orders} set status = 'payment_failed', updated_at = now()
          where id = ${order.id} and exists (select 1 from charged)
        )
        select array(select id::text from restocked) as restocked`);
      const [row] = rowsOf<{ restocked: string[] }>(released);
      for (const id of row?.restocked ?? []) this.deps.onStockChange?.(id);
      metrics.checkouts.labels("payment_failed").inc();
      if (result.outcome === "unreachable") {
        throw new ShopError(504, "payment_timeout", "the payment provider did not answer in time");
      }
      throw new ShopError(402, "payment_failed", "the payment was declined");
    }
    await db.execute(sql`
      with charged as (${charge} returning order_id),
      paid as (
        update ${orders} set status = 'paid', updated_at = now()
        where id = ${order.id} and exists (select 1 from charged)
      )
      delete from ${cartItems}
      where cart_id in (select id from ${carts} where customer_id = ${buyer.customerId})
        and exists (select 1 from charged)`);
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
}
