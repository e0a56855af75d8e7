import { and, asc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../core/http/app-error.ts";
import { type Cart, type Currency, MAX_CART_QUANTITY } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { executePrepared } from "../../db/prepared.ts";
import { cartItems, carts, products } from "../../db/schema/shop.ts";

/** Whose cart a request means: the logged-in customer's, else the anonymous cookie's. */
export interface CartOwner {
  customerId: string | null;
  anonymousCartId: string | undefined;
}

const emptyCart: Cart = { items: [], totalCents: 0, currency: "USD" };

function cartOf(rows: CartLine[]): Cart {
  const items = rows.map((r) => ({ ...r, currency: r.currency as Currency }));
  return {
    items,
    totalCents: items.reduce((sum, i) => sum + i.priceCents * i.quantity, 0),
    currency: "USD",
  };
}

/** The statement's answer: which cart, the product's stock, the item's quantity before and after, the cart after. */
interface AddOutcome {
  cart_id: string | null;
  stock: number | null;
  current: number;
  quantity: number | null;
  /** The cart's lines after the add (JSON; a string where the driver leaves json unparsed). */
  items: CartLine[] | string | null;
}

type CartLine = Omit<Cart["items"][number], "currency"> & { currency: string };

/** The owner's cart as a SQL condition on `shop.carts` (aliased `c`). */
function ownerCondition(owner: CartOwner): SQL {
  if (owner.customerId) return sql`c.customer_id = ${owner.customerId}`;
  if (owner.anonymousCartId) return sql`c.id = ${owner.anonymousCartId} and c.customer_id is null`;
  return sql`false`;
}

/**
 * Carts and their items; quantities are checked against stock on every change. Adding an item
 * is one statement (find or create the cart, check stock and the per-item cap, upsert the
 * item, touch the cart, and answer with the cart as it is after the add); viewing a cart another.
 */
export class CartStore {
  private readonly viewByCustomer;
  private readonly viewByAnonymousCart;
  private readonly viewById;

  constructor(private readonly db: Db) {
    const lines = (where: SQL) =>
      db
        .select({
          productId: cartItems.productId,
          quantity: cartItems.quantity,
          name: products.name,
          priceCents: products.priceCents,
          currency: products.currency,
        })
        .from(cartItems)
        .innerJoin(carts, eq(carts.id, cartItems.cartId))
        .innerJoin(products, eq(products.id, cartItems.productId))
        .where(where)
        .orderBy(asc(products.name));
    this.viewByCustomer = lines(eq(carts.customerId, sql.placeholder("owner"))).prepare(
      "shop_cart_of_customer",
    );
    this.viewByAnonymousCart = lines(
      and(eq(carts.id, sql.placeholder("owner")), isNull(carts.customerId))!,
    ).prepare("shop_cart_of_visitor");
    this.viewById = lines(eq(cartItems.cartId, sql.placeholder("owner"))).prepare("shop_cart_by_id");
  }

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

  /** The owner's cart in one statement (an owner without a cart sees an empty one). */
  async viewOf(owner: CartOwner): Promise<Cart> {
    const key = owner.customerId ?? owner.anonymousCartId;
    if (!key) return emptyCart;
    const statement = owner.customerId ? this.viewByCustomer : this.viewByAnonymousCart;
    return cartOf(await statement.execute({ owner: key }));
  }

  /** A cart by id (after a change the caller already resolved the owner for). */
  async view(cartId: string | undefined): Promise<Cart> {
    if (!cartId) return emptyCart;
    return cartOf(await this.viewById.execute({ owner: cartId }));
  }

  /**
   * Adds `quantity` of a product on top of what the owner's cart holds, creating the cart when
   * there is none, in one statement. Returns the cart's id and the cart after the add. 404
   * unknown product, 409 not enough stock or past the per-item cap (the cart is then unchanged).
   */
  async add(owner: CartOwner, productId: string, quantity: number): Promise<{ cartId: string; cart: Cart }> {
    let outcome = await this.addOnce(owner, productId, quantity);
    // A concurrent first add for the same customer created the cart between our read and insert.
    if (outcome.cart_id === null) outcome = await this.addOnce(owner, productId, quantity);
    if (outcome.stock === null) throw new AppError("not_found", `no product ${productId}`);
    if (outcome.cart_id === null) throw new Error("cart vanished while being created");
    if (outcome.quantity === null) this.checkQuantity(outcome.current + quantity, outcome.stock);
    if (outcome.quantity === null) throw new AppError("conflict", "the cart changed meanwhile; try again");
    const items =
      typeof outcome.items === "string" ? (JSON.parse(outcome.items) as CartLine[]) : outcome.items;
    return { cartId: outcome.cart_id, cart: cartOf(items ?? []) };
  }

  private async addOnce(owner: CartOwner, productId: string, quantity: number): Promise<AddOutcome> {
    // Data-modifying CTEs all see one snapshot: `current` is the quantity before this add,
    // and the conflict branch re-checks the limit against the row it actually updates. The
    // snapshot does not show the upsert either, so `lines` puts the added quantity in itself.
    // Prepared: Postgres plans this statement of four CTEs once per connection, not per add.
    const [outcome] = await executePrepared<AddOutcome>(
      this.db,
      sql`
      with existing as (
        select c.id from ${carts} c where ${ownerCondition(owner)}
      ), created as (
        insert into ${carts} (customer_id)
        select ${owner.customerId}::uuid where not exists (select 1 from existing)
        on conflict do nothing
        returning id
      ), cart as (
        select id from existing union all select id from created
      ), product as (
        select stock from ${products} where id = ${productId}
      ), current as (
        select i.quantity from ${cartItems} i join cart on i.cart_id = cart.id where i.product_id = ${productId}
      ), added as (
        insert into ${cartItems} as i (cart_id, product_id, quantity)
        select cart.id, ${productId}, ${quantity}::int from cart, product
        where coalesce((select quantity from current), 0) + ${quantity}::int <= least(product.stock, ${MAX_CART_QUANTITY}::int)
        on conflict (cart_id, product_id) do update set quantity = i.quantity + excluded.quantity
        where i.quantity + excluded.quantity <= least((select stock from product), ${MAX_CART_QUANTITY}::int)
        returning i.quantity
      ), touched as (
        update ${carts} set updated_at = now()
        where id in (select id from existing) and exists (select 1 from added)
      ), lines as (
        select i.product_id,
               case when i.product_id = ${productId} then (select quantity from added) else i.quantity end as quantity
        from ${cartItems} i join cart on i.cart_id = cart.id
        union all
        select ${productId}::uuid, (select quantity from added) where not exists (select 1 from current)
      )
      select (select id from cart)::text as cart_id,
             (select stock from product)::int as stock,
             coalesce((select quantity from current), 0)::int as current,
             (select quantity from added)::int as quantity,
             (select json_agg(json_build_object('productId', l.product_id, 'quantity', l.quantity, 'name', p.name,
                                                'priceCents', p.price_cents, 'currency', p.currency) order by p.name)
              from lines l cross join lateral (select name, price_cents, currency from ${products}
                                               where id = l.product_id offset 0) p) as items`,
    );
    return outcome!;
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
   * One statement, so no transaction holds the embedded database across round trips.
   */
  async attach(anonymousCartId: string | undefined, customerId: string): Promise<void> {
    if (!anonymousCartId) return;
    // Data-modifying CTEs share one snapshot: `merged` reads the anonymous items before the
    // delete (which cascades to them) takes effect.
    await this.db.execute(sql`
      with anonymous as (
        select id from ${carts} where id = ${anonymousCartId} and customer_id is null
      ), own as (
        select id from ${carts} where customer_id = ${customerId}
      ), adopted as (
        update ${carts} set customer_id = ${customerId}, updated_at = now()
        where id in (select id from anonymous) and not exists (select 1 from own)
      ), merged as (
        insert into ${cartItems} as i (cart_id, product_id, quantity)
        select own.id, a.product_id, a.quantity
        from ${cartItems} a, own
        where a.cart_id in (select id from anonymous)
        on conflict (cart_id, product_id)
        do update set quantity = least(i.quantity + excluded.quantity, ${MAX_CART_QUANTITY}::int)
      )
      delete from ${carts} where id in (select id from anonymous) and exists (select 1 from own)`);
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
