/**
 * Journey mixes (weights) shared by the built-in profiles.
 *
 * The default follows the OpenTelemetry demo's load generator (locustfile.py task weights:
 * index 1, browse_product 10, get_recommendations 3, get_ads 3, view_cart 3, add_to_cart 2,
 * checkout 1, checkout_multi 1). Our shop has no ads, so their weight goes to category
 * browsing; checkout and checkout_multi are one journey here; search is our addition at the
 * weight of the cheap read journeys.
 */
export const defaultMix = [
  { name: "home", weight: 1 },
  { name: "product", weight: 10 },
  { name: "recommendations", weight: 3 },
  { name: "browse", weight: 3 },
  { name: "search", weight: 2 },
  { name: "view_cart", weight: 3 },
  { name: "add_to_cart", weight: 2 },
  { name: "checkout", weight: 2 },
];

/** Peak season: fewer idle product views, far more carts and checkouts. */
export const holidayMix = [
  { name: "home", weight: 1 },
  { name: "product", weight: 6 },
  { name: "recommendations", weight: 2 },
  { name: "browse", weight: 3 },
  { name: "search", weight: 3 },
  { name: "view_cart", weight: 4 },
  { name: "add_to_cart", weight: 6 },
  { name: "checkout", weight: 5 },
];

/** Realistic pauses between a shopper's clicks. */
export const shopperThinkTime = { min: "0.5s", max: "2s" };
