import { and, asc, desc, eq, getTableColumns, ne, type SQL, sql } from "drizzle-orm";
import type { Product, ProductListQuery, ProductPage } from "../../core/shop-api.ts";
import type { Db } from "../../db/open.ts";
import { type ProductRow, productSearchDocument, products } from "../../db/schema/shop.ts";
import { toProduct } from "./product-row.ts";

const CATEGORY_CACHE_MS = 60_000;
const RECOMMENDATIONS = 4;

const sorts: Record<ProductListQuery["sort"], SQL[]> = {
  price_asc: [asc(products.priceCents), asc(products.id)],
  price_desc: [desc(products.priceCents), asc(products.id)],
  name: [asc(products.name), asc(products.id)],
};

/** Catalog reads: pages, one product, categories (cached), ranked search, recommendations. */
export class Catalog {
  private categoryCache: { at: number; categories: string[] } | undefined;
  private readonly byId;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    // Product detail is the hottest read under load: plan it once.
    this.byId = db
      .select()
      .from(products)
      .where(eq(products.id, sql.placeholder("id")))
      .prepare("shop_product_by_id");
  }

  async product(id: string): Promise<Product | undefined> {
    const [row] = (await this.byId.execute({ id })) as ProductRow[];
    return row ? toProduct(row) : undefined;
  }

  async page(query: ProductListQuery): Promise<ProductPage> {
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
      const [row] = await this.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(products)
        .where(where);
      total = row?.n ?? 0;
    }
    return { items: rows.map(toProduct), page: query.page, pageSize: query.pageSize, total };
  }

  async categories(): Promise<string[]> {
    const t = this.now();
    if (this.categoryCache && t - this.categoryCache.at < CATEGORY_CACHE_MS)
      return this.categoryCache.categories;
    const rows = await this.db
      .selectDistinct({ category: products.category })
      .from(products)
      .orderBy(asc(products.category));
    this.categoryCache = { at: t, categories: rows.map((r) => r.category) };
    return this.categoryCache.categories;
  }

  /** Full-text search ranked by ts_rank (stemmed English; works on PGlite and Postgres alike). */
  async search(q: string, limit: number): Promise<Array<Product & { rank: number }>> {
    const query = sql`websearch_to_tsquery('english', ${q})`;
    const rank = sql<number>`ts_rank(${productSearchDocument}, ${query})`.mapWith(Number);
    const rows = await this.db
      .select({ ...getTableColumns(products), rank })
      .from(products)
      .where(sql`${productSearchDocument} @@ ${query}`)
      .orderBy(desc(rank), asc(products.name))
      .limit(limit);
    return rows.map((row) => ({ ...toProduct(row), rank: row.rank }));
  }

  /** Products from the same category, nearest in price; undefined when the product does not exist. */
  async recommendations(productId: string): Promise<Product[] | undefined> {
    const product = await this.product(productId);
    if (!product) return undefined;
    const rows = await this.db
      .select()
      .from(products)
      .where(and(eq(products.category, product.category), ne(products.id, product.id)))
      .orderBy(sql`abs(${products.priceCents} - ${product.priceCents})`, asc(products.id))
      .limit(RECOMMENDATIONS);
    return rows.map(toProduct);
  }
}
