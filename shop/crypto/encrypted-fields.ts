import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { customers, orders, paymentMethods } from "../../db/schema/shop.ts";

/** One encrypted column: the table and column names bound into each blob's associated data. */
export interface EncryptedField {
  table: PgTable;
  tableName: string;
  column: PgColumn;
  /** The column's property in the drizzle table (for updates). */
  columnKey: string;
  columnName: string;
  id: PgColumn;
}

/** Every envelope-encrypted column in the shop; key rotation walks this list. */
export const encryptedFields: ReadonlyArray<EncryptedField> = [
  {
    table: customers,
    tableName: "customers",
    column: customers.nameEnc,
    columnKey: "nameEnc",
    columnName: "name",
    id: customers.id,
  },
  {
    table: customers,
    tableName: "customers",
    column: customers.addressEnc,
    columnKey: "addressEnc",
    columnName: "address",
    id: customers.id,
  },
  {
    table: customers,
    tableName: "customers",
    column: customers.phoneEnc,
    columnKey: "phoneEnc",
    columnName: "phone",
    id: customers.id,
  },
  {
    table: paymentMethods,
    tableName: "payment_methods",
    column: paymentMethods.tokenEnc,
    columnKey: "tokenEnc",
    columnName: "token",
    id: paymentMethods.id,
  },
  {
    table: orders,
    tableName: "orders",
    column: orders.shippingEnc,
    columnKey: "shippingEnc",
    columnName: "shipping",
    id: orders.id,
  },
];

/** The associated data of a field: binds a blob to its table, column and row. */
export const fieldContext = (tableName: string, columnName: string, rowId: string) => ({
  table: tableName,
  column: columnName,
  rowId,
});
