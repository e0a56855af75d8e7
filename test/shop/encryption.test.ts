import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobKeyId, DecryptionError, encryptField } from "../../core/crypto/envelope.ts";
import { seededRandom } from "../../core/seeded-random.ts";
import type { ProductPage } from "../../core/shop-api.ts";
import { customers, orders } from "../../db/schema/shop.ts";
import { generateCustomer } from "../../shop/catalog/generate.ts";
import { fieldContext } from "../../shop/crypto/encrypted-fields.ts";
import { databaseKinds } from "../helpers/db.ts";
import { ADMIN_TOKEN, loggedInClient, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

const run = promisify(execFile);
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows);

for (const kind of databaseKinds) {
  describe(`[${kind}] encrypted customer data`, () => {
    let t: TestShop;
    beforeAll(async () => {
      t = await startTestShop(kind);
    });
    afterAll(async () => t?.close());

    async function customer(email: string) {
      const [row] = await t.database.db.select().from(customers).where(eq(customers.email, email));
      return row!;
    }
    const decryptName = (row: { id: string; nameEnc: string | null }) =>
      t.shop.keyring.decrypt(row.nameEnc!, fieldContext("customers", "name", row.id));

    it("a raw SELECT shows no plaintext name, address or phone", async () => {
      const random = seededRandom(2);
      const seeded = Array.from({ length: 100 }, (_, i) => generateCustomer(i + 1, random));
      const raw = JSON.stringify(rowsOf(await t.database.db.execute(sql`select * from shop.customers`)));
      const tokens = JSON.stringify(
        rowsOf(await t.database.db.execute(sql`select * from shop.payment_methods`)),
      );
      for (const c of seeded) {
        for (const secret of [c.name, c.address, c.phone]) expect(raw).not.toContain(secret);
        expect(tokens).not.toContain(c.paymentToken);
      }
      // …and the shop itself can still read them.
      expect(await decryptName(await customer("customer1@shop.test"))).toBe(seeded[0]!.name);
    });

    it("rejects tampered ciphertext with a generic error", async () => {
      const row = await customer("customer2@shop.test");
      const bytes = Buffer.from(row.nameEnc!, "base64");
      bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x10;
      await t.database.db
        .update(customers)
        .set({ nameEnc: bytes.toString("base64") })
        .where(eq(customers.id, row.id));
      await expect(decryptName(await customer("customer2@shop.test"))).rejects.toThrowError(DecryptionError);
      const client = await loggedInClient(t, "customer2@shop.test");
      const reply = await client.get<{ code: string; message: string }>("/api/me");
      expect(reply.status).toBe(500);
      expect(reply.body).toMatchObject({ code: "internal", message: "internal error" });
    });

    it("rejects a ciphertext copied to another row", async () => {
      const a = await customer("customer3@shop.test");
      const b = await customer("customer4@shop.test");
      await t.database.db.update(customers).set({ nameEnc: a.nameEnc }).where(eq(customers.id, b.id));
      await expect(decryptName(await customer("customer4@shop.test"))).rejects.toThrowError(
        "decryption failed",
      );
    });

    it("keys rotate re-wraps under a new key while the shop runs; old and new rows decrypt", async () => {
      const before = await t.shop.keyring.activeKey();
      const straggler = encryptField("written under the old key", fieldContext("t", "c", "r"), before);
      const namesBefore = new Map<string, string>();
      const sample = await t.database.db
        .select()
        .from(customers)
        .where(sql`${customers.email} like 'customer1%'`);
      for (const row of sample) namesBefore.set(row.id, await decryptName(row));

      const env = {
        ...process.env,
        PEAKWATCH_DATA_DIR: t.config.PEAKWATCH_DATA_DIR,
        PEAKWATCH_MASTER_KEY: t.masterKey.toString("base64"),
        SHOP_ADMIN_TOKEN: ADMIN_TOKEN,
        PEAKWATCH_SHOP_URL: t.url,
        SHOP_DATABASE_URL: t.database.url ?? "",
        DATABASE_URL: "",
      };
      const { stdout } = await run(process.execPath, ["bin/peakwatch.js", "keys", "rotate"], {
        env,
        timeout: 60_000,
      });
      const newId = /new key-encryption key (\S+);/.exec(stdout)?.[1];
      expect(newId).toBeDefined();
      expect(newId).not.toBe(before.id);

      for (const row of await t.database.db
        .select()
        .from(customers)
        .where(sql`${customers.email} like 'customer1%'`)) {
        expect(blobKeyId(row.nameEnc!)).toBe(newId);
        expect(await decryptName(row)).toBe(namesBefore.get(row.id));
      }
      expect(await t.shop.keyring.decrypt(straggler, fieldContext("t", "c", "r"))).toBe(
        "written under the old key",
      );

      // New writes in the running shop use the new key once it has looked again (within 2 s).
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const client = await loggedInClient(t, "customer5@shop.test");
      const page = await new ShopClient(t.url).get<ProductPage>("/api/products?pageSize=1");
      await client.post("/api/cart/items", { productId: page.body.items[0]!.id, quantity: 1 });
      const checkout = await client.post<{ orderId: string }>("/api/checkout", {
        shipping: {
          name: "Vera Rubin",
          line1: "1 Zenith Street",
          city: "Springfield",
          postalCode: "1",
          country: "US",
        },
      });
      expect(checkout.status).toBe(201);
      const [order] = await t.database.db.select().from(orders).where(eq(orders.id, checkout.body.orderId));
      expect(blobKeyId(order!.shippingEnc!)).toBe(newId);
      expect(order!.shippingEnc).not.toContain("Vera");
      expect((await client.get("/api/me")).status).toBe(200);
    });
  });
}
