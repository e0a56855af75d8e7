import { and, asc, desc, eq, getTableColumns, ne, type SQL, sql } from "drizzle-orm";
import type { Product, ProductListQuery, ProductPage } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { type ProductRow, productSearchDocument, products } from "../../db/schema/shop.ts";
import type { CatalogCache } from "./catalog-cache.ts";
import { toProduct } from "./product-row.ts";

const RECOMMENDATIONS = 4;

const sorts: Record<ProductListQuery["sort"], SQL[]> = {
  price_asc: [asc(products.priceCents), asc(products.id)],
  price_desc: [desc(products.priceCents), asc(products.id)],
  name: [asc(products.name), asc(products.id)],
};

/** The cache key of one product; `productChanged` forgets it. */
const productKey = (id: string) => `product:${id}`;

/**
 * Catalog reads: pages, one product, categories, ranked search, recommendations. Every read
 * goes through the catalog cache; the hot statements are prepared once, so a miss costs one
 * round trip and no query building.
 */
export class Catalog {
  private readonly byId;
  private readonly searchRanked;
  private readonly similar;

  constructor(
    private readonly db: Db,
    private readonly cache: CatalogCache,
  ) {
    this.byId = db
      .select()
      .from(products)
      .where(eq(products.id, sql.placeholder("id")))
      .prepare("shop_product_by_id");
    const query = sql`websearch_to_tsquery('english', ${sql.placeholder("q")})`;
    const rank = sql<number>`ts_rank(${productSearchDocument}, ${query})`.mapWith(Number);
    this.searchRanked = db
      .select({ ...getTableColumns(products), rank })
      .from(products)
      .where(sql`${productSearchDocument} @@ ${query}`)
      .orderBy(desc(rank), asc(products.name))
      .limit(sql.placeholder("limit"))
      .prepare("shop_search");
    // Same category, nearest in price: one statement, the product's own row read in a subquery.
    const of = sql`(select category, price_cents from ${products} where id = ${sql.placeholder("id")})`;
    this.similar = db
      .select()
      .from(products)
      .where(
        and(
          sql`${products.category} = (select category from ${of} o)`,
          ne(products.id, sql.placeholder("id")),
        ),
      )
      .orderBy(sql`abs(${products.priceCents} - (select price_cents from ${of} o))`, asc(products.id))
      .limit(RECOMMENDATIONS)
      .prepare("shop_similar_products");
  }

  product(id: string): Promise<Product | undefined> {
    return this.cache.read(productKey(id), async () => {
      const [row] = (await this.byId.execute({ id })) as ProductRow[];
      return row ? toProduct(row) : undefined;
    });
  }

  /** Called when this process changed a product's stock, so its page never shows the old figure. */
  productChanged(id: string): void {
    this.cache.forget(productKey(id));
  }

  page(query: ProductListQuery): Promise<ProductPage> {
    const key = `page:${query.category ?? ""}:${query.sort}:${query.page}:${query.pageSize}`;
    return this.cache.read(key, async () => {
      const where = query.category ? eq(products.category, query.category) : undefined;
      const rows = await this.db
        .select({ ...getTableColumns(products), total: sql<number>`count(*) over ()`.mapWith(Number) })
        .from(products)
        .where(where)
        .orderBy(...sorts[query.sort])
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      let total = rows[0]?.total;
      if (total === undefined) {
        // A page past the end has no rows to carry the window count.
        const [row] = await this.db
          .select({ n: sql<number>`count(*)`.mapWith(Number) })
          .from(products)
          .where(where);
        total = row?.n ?? 0;
      }
      return { items: rows.map(toProduct), page: query.page, pageSize: query.pageSize, total };
    });
  }

  categories(): Promise<string[]> {
    return this.cache.read("categories", async () => {
      const rows = await this.db
        .selectDistinct({ category: products.category })
        .from(products)
        .orderBy(asc(products.category));
      return rows.map((r) => r.category);
    });
  }

  /** Full-text search ranked by ts_rank (stemmed English; works on PGlite and Postgres alike). */
  search(q: string, limit: number): Promise<{ items: Array<Product & { rank: number }> }> {
    return this.cache.read(`search:${limit}:${q}`, async () => {
      const rows = await this.searchRanked.execute({ q, limit });
      return { items: rows.map((row) => ({ ...toProduct(row), rank: row.rank })) };
    });
  }

  /** Products from the same category, nearest in price; undefined when the product does not exist. */
  async recommendations(productId: string): Promise<Product[] | undefined> {
    if (!(await this.product(productId))) return undefined;
    return this.cache.read(`similar:${productId}`, async () => {
      const rows = (await this.similar.execute({ id: productId })) as ProductRow[];
      return rows.map(toProduct);
    });
  }
}
