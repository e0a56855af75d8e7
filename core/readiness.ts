/**
 * The readiness verdict managers read: measured capacity against the planned peak. Import-free
 * so the dashboard bundle shares it without zod; the wire schema is core/api/readiness.ts.
 */

/** The SLO that broke first at the knee, on which journey step, at which arrival rate. */
export interface KneeFigures {
  /** Journeys/s of the lowest step that broke. */
  rate: number;
  /** The SLO as written, e.g. `p95(checkout) < 800ms`. */
  slo: string;
  /** The journey step it broke on (`checkout`), when known. */
  step: string | null;
  /** Its value over the first failing window, with unit. */
  value: string;
}

/** What the verdict needs of a measurement. */
export interface VerdictInput {
  /** Highest confirmed journeys/s (0 when even the first step broke). */
  capacityJourneys: number;
  /** Planned peak in journeys/s; null when none was given. */
  plannedPeak: number | null;
  knee: KneeFigures | null;
}

export interface ReadinessVerdict {
  /** null when no planned peak was given. */
  ready: boolean | null;
  /** capacity / planned peak; null without a planned peak. */
  headroom: number | null;
  /** One sentence: "Ready: capacity 420 journeys/s, 1.6× the planned peak". */
  text: string;
}

/** `p95(checkout) < 800ms` → "checkout p95"; `error_rate < 1%` → "error rate". */
export function sloLabel(slo: string, step: string | null): string {
  const m = /^\s*(p\d{1,2}(?:\.\d+)?|[a-z_]+)\s*(?:\(\s*([^)]+?)\s*\))?/.exec(slo);
  if (!m) return slo;
  const metric = m[1]!.replace(/_/g, " ");
  const where = m[2] ?? step;
  return where ? `${where} ${metric}` : metric;
}

/** Journeys/s for people: whole numbers from 100 up, one decimal below. */
export function formatRate(r: number): string {
  return r >= 100 ? String(Math.round(r)) : String(Math.round(r * 10) / 10);
}

const ratio = (x: number) => `${(Math.floor(x * 10) / 10).toFixed(1)}×`;

/**
 * The verdict; the ratio is rounded down so "1.0×" never hides a capacity just below the peak. A
 * search that held every step (no knee) found a lower bound, and says "at least": the shop may
 * hold more than the highest step tried, and one that held every step below the planned peak has
 * not shown it cannot reach it.
 */
export function readinessVerdict(m: VerdictInput): ReadinessVerdict {
  const bound = m.knee === null && m.capacityJourneys > 0;
  const atLeast = bound ? "at least " : "";
  const capacity = `capacity ${atLeast}${formatRate(m.capacityJourneys)} journeys/s`;
  if (m.plannedPeak === null || !(m.plannedPeak > 0))
    return { ready: null, headroom: null, text: `Measured: ${capacity} (no planned peak to compare with)` };
  const headroom = m.capacityJourneys / m.plannedPeak;
  if (headroom >= 1)
    return {
      ready: true,
      headroom,
      text: `Ready: ${capacity}, ${atLeast}${ratio(headroom)} the planned peak`,
    };
  if (bound)
    return {
      ready: false,
      headroom,
      text: `Not shown ready: held every step up to ${formatRate(m.capacityJourneys)} journeys/s, ${ratio(headroom)} the planned peak; raise --max-rate past the peak`,
    };
  if (m.knee) {
    const at = m.knee.rate / m.plannedPeak;
    return {
      ready: false,
      headroom,
      text: `Not ready: ${sloLabel(m.knee.slo, m.knee.step)} breaks at ${ratio(at)} the planned peak`,
    };
  }
  return { ready: false, headroom, text: `Not ready: ${capacity}, ${ratio(headroom)} the planned peak` };
}
