import { and, asc, eq, sql } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import { type Cart, type Currency, MAX_CART_QUANTITY } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { cartItems, carts, products } from "../../db/schema/shop.ts";

/** Whose cart a request means: the logged-in customer's, else the anonymous cookie's. */
export interface CartOwner {
  customerId: string | null;
  anonymousCartId: string | undefined;
}

const emptyCart: Cart = { items: [], totalCents: 0, currency: "USD" };

/** Carts and their items; quantities are checked against stock on every change. */
export class CartStore {
  constructor(private readonly db: Db) {}

  /** The id of the owner's cart, if one exists. */
  async find(owner: CartOwner): Promise<string | undefined> {
    if (owner.customerId) {
      const [row] = await this.db
        .select({ id: carts.id })
        .from(carts)
        .where(eq(carts.customerId, owner.customerId));
      return row?.id;
    }
    if (!owner.anonymousCartId) return undefined;
    const [row] = await this.db
      .select({ id: carts.id, customerId: carts.customerId })
      .from(carts)
      .where(eq(carts.id, owner.anonymousCartId));
    // A cart that now belongs to a customer is not reachable through the anonymous cookie.
    return row && row.customerId === null ? row.id : undefined;
  }

  /** The owner's cart id, creating the cart when there is none yet. */
  async findOrCreate(owner: CartOwner): Promise<string> {
    const existing = await this.find(owner);
    if (existing) return existing;
    const [row] = await this.db
      .insert(carts)
      .values({ customerId: owner.customerId })
      .onConflictDoNothing()
      .returning({ id: carts.id });
    if (row) return row.id;
    const again = await this.find(owner);
    if (!again) throw new Error("cart vanished while being created");
    return again;
  }

  async view(cartId: string | undefined): Promise<Cart> {
    if (!cartId) return emptyCart;
    const rows = await this.db
      .select({
        productId: cartItems.productId,
        quantity: cartItems.quantity,
        name: products.name,
        priceCents: products.priceCents,
        currency: products.currency,
      })
      .from(cartItems)
      .innerJoin(products, eq(products.id, cartItems.productId))
      .where(eq(cartItems.cartId, cartId))
      .orderBy(asc(products.name));
    const items = rows.map((r) => ({ ...r, currency: r.currency as Currency }));
    return {
      items,
      totalCents: items.reduce((sum, i) => sum + i.priceCents * i.quantity, 0),
      currency: "USD",
    };
  }

  /** Adds `quantity` of a product (on top of what the cart holds). 404 unknown product, 409 not enough stock. */
  async add(cartId: string, productId: string, quantity: number): Promise<void> {
    const stock = await this.stockOf(productId);
    const [current] = await this.db
      .select({ quantity: cartItems.quantity })
      .from(cartItems)
      .where(and(eq(cartItems.cartId, cartId), eq(cartItems.productId, productId)));
    this.checkQuantity((current?.quantity ?? 0) + quantity, stock);
    await this.db
      .insert(cartItems)
      .values({ cartId, productId, quantity })
      .onConflictDoUpdate({
        target: [cartItems.cartId, cartItems.productId],
        set: { quantity: sql`${cartItems.quantity} + excluded.quantity` },
      });
    await this.db.update(carts).set({ updatedAt: new Date() }).where(eq(carts.id, cartId));
  }

  /** Sets an item's quantity. 404 when the cart does not hold the product, 409 not enough stock. */
  async setQuantity(cartId: string | undefined, productId: string, quantity: number): Promise<void> {
    const stock = await this.stockOf(productId);
    this.checkQuantity(quantity, stock);
    const updated = cartId
      ? await this.db
          .update(cartItems)
          .set({ quantity })
          .where(and(eq(cartItems.cartId, cartId), eq(cartItems.productId, productId)))
          .returning({ productId: cartItems.productId })
      : [];
    if (updated.length === 0) throw new AppError("not_found", "the cart does not hold this product");
  }

  async remove(cartId: string | undefined, productId: string): Promise<void> {
    const removed = cartId
      ? await this.db
          .delete(cartItems)
          .where(and(eq(cartItems.cartId, cartId), eq(cartItems.productId, productId)))
          .returning({ productId: cartItems.productId })
      : [];
    if (removed.length === 0) throw new AppError("not_found", "the cart does not hold this product");
  }

  async clear(cartId: string | undefined): Promise<void> {
    if (cartId) await this.db.delete(cartItems).where(eq(cartItems.cartId, cartId));
  }

  /**
   * At login: the anonymous cart becomes the customer's, or, when the customer already has
   * one, its items are merged in (quantities added, capped) and the anonymous cart deleted.
   */
  async attach(anonymousCartId: string | undefined, customerId: string): Promise<void> {
    if (!anonymousCartId) return;
    await this.db.transaction(async (tx) => {
      const [anonymous] = await tx.select().from(carts).where(eq(carts.id, anonymousCartId));
      if (!anonymous || anonymous.customerId !== null) return;
      const [own] = await tx.select({ id: carts.id }).from(carts).where(eq(carts.customerId, customerId));
      if (!own) {
        await tx
          .update(carts)
          .set({ customerId, updatedAt: new Date() })
          .where(eq(carts.id, anonymousCartId));
        return;
      }
      const items = await tx.select().from(cartItems).where(eq(cartItems.cartId, anonymousCartId));
      if (items.length > 0) {
        await tx
          .insert(cartItems)
          .values(items.map((i) => ({ ...i, cartId: own.id })))
          .onConflictDoUpdate({
            target: [cartItems.cartId, cartItems.productId],
            set: { quantity: sql`least(${cartItems.quantity} + excluded.quantity, ${MAX_CART_QUANTITY})` },
          });
      }
      await tx.delete(carts).where(eq(carts.id, anonymousCartId));
    });
  }

  private async stockOf(productId: string): Promise<number> {
    const [product] = await this.db
      .select({ stock: products.stock })
      .from(products)
      .where(eq(products.id, productId));
    if (!product) throw new AppError("not_found", `no product ${productId}`);
    return product.stock;
  }

  private checkQuantity(quantity: number, stock: number): void {
    if (quantity > MAX_CART_QUANTITY) {
      throw new AppError("conflict", `at most ${MAX_CART_QUANTITY} of one product per cart`);
    }
    if (quantity > stock) throw new AppError("conflict", `only ${stock} in stock`);
  }
}
