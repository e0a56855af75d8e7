/**
 * The cookies of one flow run (one synthetic visitor talking to one site): name → value.
 * Domain and path are ignored on purpose: a flow talks to the site it was written for.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes Set-Cookie lines; a cookie with Max-Age=0 or an Expires in the past is removed. */
  store(setCookies: ReadonlyArray<string>, now: number): void {
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = "", val = ""] = attribute.split("=").map((s) => s.trim());
        if (key.toLowerCase() === "max-age") return Number(val) <= 0;
        if (key.toLowerCase() === "expires") return Date.parse(val) <= now;
        return false;
      });
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The Cookie header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}
