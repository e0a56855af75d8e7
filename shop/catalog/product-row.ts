import type { Currency, Product } from "../../core/shop-api.ts";
import type { ProductRow } from "../../db/schema/shop.ts";

/** A product row as the API shows it. */
export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    priceCents: row.priceCents,
    currency: row.currency as Currency,
    stock: row.stock,
    imageUrl: row.imageUrl,
  };
}
