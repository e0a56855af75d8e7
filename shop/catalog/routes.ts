import { type Context, Hono } from "hono";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import {
  type Product,
  ProductIdParam,
  ProductListQuery,
  RecommendationsQuery,
  SearchQuery,
} from "../../core/shop-api.ts";
import { cachedJson } from "../http/cached-json.ts";
import type { ShopEnv } from "../http/env.ts";
import type { Catalog } from "./catalog.ts";

/** Catalog reads under /api. */
export function catalogRoutes(deps: {
  catalog: Catalog;
  checkProduct: (productId: string) => void;
  /** The product the stock_out fault sells out, if it is on. */
  soldOut: () => string | undefined;
}): Hono<ShopEnv> {
  const app = new Hono<ShopEnv>();
  const { catalog } = deps;
  /** A cached answer, or while stock_out is on and it holds that product, a copy showing 0 in stock. */
  const answer = <T extends Product | { items: Product[] }>(c: Context, value: T) => {
    const id = deps.soldOut();
    if (id === undefined) return cachedJson(c, value);
    if ("items" in value) {
      if (!value.items.some((p) => p.id === id)) return cachedJson(c, value);
      return c.json({ ...value, items: value.items.map((p) => (p.id === id ? { ...p, stock: 0 } : p)) });
    }
    return value.id === id ? c.json({ ...value, stock: 0 }) : cachedJson(c, value);
  };

  app.get("/products", async (c) =>
    answer(c, await catalog.page(parseOr400(ProductListQuery, c.req.query(), "query"))),
  );

  app.get("/products/:id", async (c) => {
    const { id } = parseOr400(ProductIdParam, c.req.param(), "params");
    deps.checkProduct(id);
    const product = await catalog.product(id);
    if (!product) throw new AppError("not_found", `no product ${id}`);
    return answer(c, product);
  });

  app.get("/categories", async (c) => c.json({ categories: await catalog.categories() }));

  app.get("/search", async (c) => {
    const { q, limit } = parseOr400(SearchQuery, c.req.query(), "query");
    return answer(c, await catalog.search(q, limit));
  });

  app.get("/recommendations", async (c) => {
    const { productId } = parseOr400(RecommendationsQuery, c.req.query(), "query");
    const items = await catalog.recommendations(productId);
    if (!items) throw new AppError("not_found", `no product ${productId}`);
    return answer(c, { items });
  });

  return app;
}
