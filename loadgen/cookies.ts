/**
 * The cookies of one virtual user for one origin: what a browser would send back. Attributes
 * other than expiry are ignored (every request goes to the same origin).
 */
export class CookieJar {
  private readonly values = new Map<string, string>();
  /** header() as last built; undefined once the jar changed. */
  private cached: string | undefined;

  /** Takes Set-Cookie header values from a response. */
  store(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    this.cached = undefined;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = "", v = ""] = a.split("=").map((x) => x.trim());
        if (k.toLowerCase() === "max-age") return Number(v) <= 0;
        if (k.toLowerCase() === "expires") return Date.parse(v) < Date.now();
        return false;
      });
      if (expired || value === "") this.values.delete(name);
      else this.values.set(name, value);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  delete(name: string): void {
    this.cached = undefined;
    this.values.delete(name);
  }

  /** The Cookie request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.values.size === 0) return undefined;
    this.cached ??= [...this.values].map(([k, v]) => `${k}=${v}`).join("; ");
    return this.cached;
  }
}
