import { Hono } from "hono";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { ProductIdParam, ProductListQuery, RecommendationsQuery, SearchQuery } from "../../core/shop-api.ts";
import { cachedJson } from "../http/cached-json.ts";
import type { ShopEnv } from "../http/env.ts";
import type { Catalog } from "./catalog.ts";

/** Catalog reads under /api. */
export function catalogRoutes(deps: {
  catalog: Catalog;
  checkProduct: (productId: string) => void;
}): Hono<ShopEnv> {
  const app = new Hono<ShopEnv>();
  const { catalog } = deps;

  app.get("/products", async (c) =>
    cachedJson(c, await catalog.page(parseOr400(ProductListQuery, c.req.query(), "query"))),
  );

  app.get("/products/:id", async (c) => {
    const { id } = parseOr400(ProductIdParam, c.req.param(), "params");
    deps.checkProduct(id);
    const product = await catalog.product(id);
    if (!product) throw new AppError("not_found", `no product ${id}`);
    return cachedJson(c, product);
  });

  app.get("/categories", async (c) => c.json({ categories: await catalog.categories() }));

  app.get("/search", async (c) => {
    const { q, limit } = parseOr400(SearchQuery, c.req.query(), "query");
    return cachedJson(c, await catalog.search(q, limit));
  });

  app.get("/recommendations", async (c) => {
    const { productId } = parseOr400(RecommendationsQuery, c.req.query(), "query");
    const items = await catalog.recommendations(productId);
    if (!items) throw new AppError("not_found", `no product ${productId}`);
    return c.json({ items });
  });

  return app;
}
