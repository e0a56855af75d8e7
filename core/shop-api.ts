import { z } from "zod";

/**
 * The reference shop's HTTP bodies, shared by the shop (to validate and answer), the load
 * generator's journeys and the probes (to parse answers). Money is in minor units.
 */

export const currencies = ["USD", "EUR", "GBP", "JPY", "CAD"] as const;
export const Currency = z.enum(currencies);
export type Currency = z.infer<typeof Currency>;

export const productSorts = ["price_asc", "price_desc", "name"] as const;

export const Product = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  priceCents: z.number().int().nonnegative(),
  currency: Currency,
  stock: z.number().int().nonnegative(),
  imageUrl: z.string(),
});
export type Product = z.infer<typeof Product>;

export const ProductListQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  category: z.string().min(1).max(100).optional(),
  sort: z.enum(productSorts).default("name"),
});
export type ProductListQuery = z.infer<typeof ProductListQuery>;

export const ProductPage = z.object({
  items: z.array(Product),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
export type ProductPage = z.infer<typeof ProductPage>;

export const ProductIdParam = z.object({ id: z.uuid() });

export const Categories = z.object({ categories: z.array(z.string()) });

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const SearchResult = z.object({ items: z.array(Product.extend({ rank: z.number() })) });
export type SearchResult = z.infer<typeof SearchResult>;

export const RecommendationsQuery = z.object({ productId: z.uuid() });
export const Recommendations = z.object({ items: z.array(Product) });

export const CartItem = z.object({
  productId: z.uuid(),
  name: z.string(),
  quantity: z.number().int().positive(),
  priceCents: z.number().int().nonnegative(),
  currency: Currency,
});
export const Cart = z.object({ items: z.array(CartItem), totalCents: z.number().int(), currency: Currency });
export type Cart = z.infer<typeof Cart>;

/** Most of one item a cart may hold: a shop-like cap, and a bound on a single row's work. */
export const MAX_CART_QUANTITY = 99;
export const AddCartItemBody = z.object({
  productId: z.uuid(),
  quantity: z.number().int().min(1).max(MAX_CART_QUANTITY),
});
export const UpdateCartItemBody = z.object({ quantity: z.number().int().min(1).max(MAX_CART_QUANTITY) });
export const CartItemParam = z.object({ productId: z.uuid() });

export const OtpRequestBody = z.object({ email: z.email().max(254) });
export const OtpRequestResponse = z.object({ challengeId: z.uuid() });
export const OtpVerifyBody = z.object({
  challengeId: z.uuid(),
  code: z.string().regex(/^\d{6}$/, "six digits"),
});
export const OtpVerifyResponse = z.object({ customer: z.object({ email: z.string() }) });
export const Me = z.object({ customer: z.object({ email: z.string(), name: z.string().nullable() }) });

export const ShippingAddress = z.object({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2 country code"),
  phone: z.string().trim().max(40).optional(),
});
export type ShippingAddress = z.infer<typeof ShippingAddress>;

export const CheckoutBody = z.object({ currency: Currency.optional(), shipping: ShippingAddress.optional() });
export type CheckoutBody = z.infer<typeof CheckoutBody>;

export const orderStatuses = ["pending", "paid", "payment_failed"] as const;
export const CheckoutResponse = z.object({
  orderId: z.uuid(),
  totalCents: z.number().int(),
  currency: Currency,
  status: z.enum(orderStatuses),
});
export type CheckoutResponse = z.infer<typeof CheckoutResponse>;

/** The Idempotency-Key header: an opaque client token. */
export const IdempotencyKey = z.string().min(1).max(200);

export const MailMessage = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  createdAt: z.string(),
});
export const Mailbox = z.object({ messages: z.array(MailMessage) });
export type Mailbox = z.infer<typeof Mailbox>;

/** Finds the code in an OTP mail's text (`Your code: 123456`). */
export function otpCodeFromMail(text: string): string | undefined {
  return /^Your code: (\d{6})$/m.exec(text)?.[1];
}

/**
 * Sent by a Peakwatch load generator with the shop's test-hooks token: the shop then takes each
 * simulated shopper's address from X-Forwarded-For, so per-address limits see many shoppers.
 */
export const LOAD_GENERATOR_HEADER = "x-peakwatch-test-hooks";
