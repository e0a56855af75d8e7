import type { Context } from "hono";

const texts = new WeakMap<object, string>();

/**
 * A JSON answer for a value the catalog cache hands out: the cache gives the same object for
 * as long as the entry lives, so its text is built once per entry instead of once per request
 * (JSON.stringify of a product or a search page was the largest function of the product page).
 * A reloaded entry is a new object and gets new text. Never mutate a value passed here.
 */
export function cachedJson(c: Context, value: object): Response {
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return c.body(text, 200, { "content-type": "application/json" });
}
