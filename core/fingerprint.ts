/** Alert labels: name → value. */
export type Labels = Readonly<Record<string, string>>;

const SEPARATOR = 0xff;
const encoder = new TextEncoder();

/**
 * FNV-1a 64 state as four 16-bit limbs, least significant first: exact 64-bit arithmetic on
 * plain numbers (BigInt per byte made fingerprints a third of an alert evaluation).
 */
class Fnv64 {
  h0 = 0x2325;
  h1 = 0x8422;
  h2 = 0x9ce4;
  h3 = 0xcbf2;

  /** hash = (hash ^ byte) × 0x100000001b3 mod 2^64; the prime is 2^40 + 435. */
  byte(b: number): void {
    const h0 = this.h0 ^ b;
    const t0 = h0 * 435;
    const t1 = this.h1 * 435 + (t0 >>> 16);
    const t2 = this.h2 * 435 + (h0 << 8) + (t1 >>> 16);
    const t3 = this.h3 * 435 + (this.h1 << 8) + (t2 >>> 16);
    this.h0 = t0 & 0xffff;
    this.h1 = t1 & 0xffff;
    this.h2 = t2 & 0xffff;
    this.h3 = t3 & 0xffff;
  }

  /** The UTF-8 bytes of `text`. */
  text(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        for (const b of encoder.encode(text.slice(i))) this.byte(b);
        return;
      }
      this.byte(c);
    }
  }

  hex(): string {
    return [this.h3, this.h2, this.h1, this.h0].map((h) => h.toString(16).padStart(4, "0")).join("");
  }
}

/**
 * The identity of an alert: FNV-1a 64 over the labels sorted by name, name and value
 * separated by 0xff, as Prometheus computes a label set's fingerprint. Order-independent,
 * 16 hex digits. Pure (no node:crypto), so the dashboard can compute it too.
 */
export function fingerprint(labels: Labels): string {
  const hash = new Fnv64();
  for (const name of Object.keys(labels).sort()) {
    hash.text(name);
    hash.byte(SEPARATOR);
    hash.text(labels[name] ?? "");
    hash.byte(SEPARATOR);
  }
  return hash.hex();
}
