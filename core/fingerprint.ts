/** Alert labels: name → value. */
export type Labels = Readonly<Record<string, string>>;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

/**
 * The identity of an alert: FNV-1a 64 over the labels sorted by name, name and value
 * separated by 0xff, as Prometheus computes a label set's fingerprint. Order-independent,
 * 16 hex digits. Pure (no node:crypto), so the dashboard can compute it too.
 */
export function fingerprint(labels: Labels): string {
  let hash = FNV_OFFSET;
  const encoder = new TextEncoder();
  const mix = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    mix(encoder.encode(name));
    mix(Uint8Array.of(SEPARATOR));
    mix(encoder.encode(labels[name] ?? ""));
    mix(Uint8Array.of(SEPARATOR));
  }
  return hash.toString(16).padStart(16, "0");
}
