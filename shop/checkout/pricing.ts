import type { Currency } from "../../core/shop-api.ts";

/** Units of each currency per US dollar (fixed reference rates: a simulator, not a market feed). */
export const usdRates: Record<Currency, number> = { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151.5, CAD: 1.37 };

/** Digits after the decimal point of each currency's minor unit (the yen has none). */
export const minorDigits: Record<Currency, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0, CAD: 2 };

/** Converts US cents to minor units of `currency`, rounded half away from zero. */
export function convertFromUsdCents(usdCents: number, currency: Currency): number {
  return Math.round((usdCents / 100) * usdRates[currency] * 10 ** minorDigits[currency]);
}

export const FREE_SHIPPING_FROM_CENTS = 10_000;

/** Shipping in US cents: free from $100, else $4.99 plus $0.99 per further item, +$10 abroad. */
export function shippingQuoteCents(options: {
  itemCount: number;
  subtotalCents: number;
  country?: string | undefined;
}): number {
  if (options.subtotalCents >= FREE_SHIPPING_FROM_CENTS) return 0;
  const domestic = 499 + 99 * Math.max(0, options.itemCount - 1);
  return options.country && options.country !== "US" ? domestic + 1000 : domestic;
}
