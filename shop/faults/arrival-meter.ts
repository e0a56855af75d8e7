/**
 * Requests per second arriving on a route over a sliding window, for the latency switch's
 * `aboveRatePerSecond`: a dependency that saturates at a known arrival rate. The rate is
 * counted as requests arrive, before any delay, so slowing them down does not lower it; that
 * keeps the knee a property of the fault, not of how fast the machine under test is.
 */

/** Bucket width: fine enough that a window of a few seconds slides smoothly. */
const BUCKET_MS = 100;

export class ArrivalMeter {
  /** Per route: ring of counts per bucket, and the bucket index each slot holds. */
  private readonly rings = new Map<string, { counts: number[]; slots: number[] }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Counts one arrival on `route` and returns its rate (requests/s) over the last `windowSeconds`, this one included. */
  record(route: string, windowSeconds: number): number {
    const size = Math.max(1, Math.round((windowSeconds * 1000) / BUCKET_MS));
    let ring = this.rings.get(route);
    if (!ring || ring.counts.length !== size) {
      ring = { counts: new Array(size).fill(0), slots: new Array(size).fill(-1) };
      this.rings.set(route, ring);
    }
    const bucket = Math.floor(this.now() / BUCKET_MS);
    const i = bucket % size;
    if (ring.slots[i] !== bucket) {
      ring.slots[i] = bucket;
      ring.counts[i] = 0;
    }
    ring.counts[i]!++;
    let total = 0;
    for (let j = 0; j < size; j++) if (bucket - ring.slots[j]! < size) total += ring.counts[j]!;
    return total / (size * (BUCKET_MS / 1000));
  }

  /** Forgets every route (the switch turned off: a new episode starts from zero). */
  reset(): void {
    this.rings.clear();
  }
}
