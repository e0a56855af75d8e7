import { randomUUID } from "node:crypto";
import { count } from "drizzle-orm";
import { encryptField } from "../../core/crypto/envelope.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import type { Db } from "../../db/open.ts";
import { customers, paymentMethods, products } from "../../db/schema/shop.ts";
import { fieldContext } from "../crypto/encrypted-fields.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { generateCustomer, generateProduct } from "./generate.ts";

const BATCH = 500;

async function isEmpty(db: Db, table: typeof products | typeof customers): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(table);
  return (row?.n ?? 0) === 0;
}

/**
 * Seeds products and customers, each only into an empty table, in batched inserts.
 * Customer personal data and payment tokens are written encrypted. Returns what was added.
 */
export async function seedShop(
  db: Db,
  keyring: Keyring,
  options: { products: number; customers: number },
): Promise<{ products: number; customers: number }> {
  const added = { products: 0, customers: 0 };
  if (options.products > 0 && (await isEmpty(db, products))) {
    const random = seededRandom(1);
    for (let start = 0; start < options.products; start += BATCH) {
      const batch = [];
      for (let i = start; i < Math.min(start + BATCH, options.products); i++)
        batch.push(generateProduct(i, random));
      await db.insert(products).values(batch);
    }
    added.products = options.products;
  }
  if (options.customers > 0 && (await isEmpty(db, customers))) {
    const kek = await keyring.activeKey();
    const random = seededRandom(2);
    for (let start = 1; start <= options.customers; start += BATCH) {
      const customerRows = [];
      const paymentRows = [];
      for (let n = start; n < Math.min(start + BATCH, options.customers + 1); n++) {
        const c = generateCustomer(n, random);
        const id = randomUUID();
        const paymentId = randomUUID();
        const enc = (column: string, value: string) =>
          encryptField(value, fieldContext("customers", column, id), kek);
        customerRows.push({
          id,
          email: c.email,
          nameEnc: enc("name", c.name),
          addressEnc: enc("address", c.address),
          phoneEnc: enc("phone", c.phone),
        });
        paymentRows.push({
          id: paymentId,
          customerId: id,
          tokenEnc: encryptField(c.paymentToken, fieldContext("payment_methods", "token", paymentId), kek),
          brand: "visa",
          last4: c.last4,
        });
      }
      await db.insert(customers).values(customerRows);
      await db.insert(paymentMethods).values(paymentRows);
    }
    added.customers = options.customers;
  }
  return added;
}
