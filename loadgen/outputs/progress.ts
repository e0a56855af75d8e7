import type { SecondPoint } from "../run-stats.ts";

export interface ProgressFigures {
  elapsed: number;
  total: number;
  targetRate: number;
  /** Journeys or connections in use (one process's run). */
  active?: number;
  /** Workers still running of a split run, e.g. "3/3". */
  workers?: string;
  point: SecondPoint | undefined;
  errorRate: number;
}

/**
 * One progress line: elapsed/total, the last second's arrivals against their target (open model)
 * and its requests, p95 and errors. Arrivals (journeys started) and requests are never mixed:
 * a second with no arrival reads "arrivals 0/s", not its request rate. Pure, for testing.
 */
export function progressLine(f: ProgressFigures): string {
  const p = f.point;
  // The target of the same second as the arrivals (a ramp moves on meanwhile); before the first
  // second, the executor's target now. One decimal where it has one: 2.5/s is not 3/s.
  const targetRate = p && p.target > 0 ? p.target : f.targetRate;
  const perSecond = (n: number) => `${Number(n.toFixed(1))}/s`;
  const arrivals =
    targetRate > 0 ? [`arrivals ${p ? perSecond(p.achieved) : "-"} (target ${perSecond(targetRate)})`] : [];
  const requests = `requests ${p ? perSecond(p.requests) : "-"}`;
  // An empty histogram reads 0 ms: with every request failed, say so instead of "fast".
  const p95 = !p
    ? "-"
    : p.requests > p.errors
      ? `${p.p95.toFixed(1)} ms`
      : p.requests > 0
        ? "- (no request succeeded)"
        : "-";
  return [
    `[${fmt(f.elapsed)}/${fmt(f.total)}]`,
    ...arrivals,
    requests,
    `p95 ${p95}`,
    `errors ${(f.errorRate * 100).toFixed(2)} %`,
    `dropped ${p?.dropped ?? 0}`,
    ...(f.active === undefined ? [] : [`active ${f.active}`]),
    ...(f.workers === undefined ? [] : [`workers ${f.workers}`]),
  ].join("  ");
}

function fmt(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Rewrites one line on a terminal; prints a plain line every few seconds otherwise (CI logs). */
export class ProgressPrinter {
  private lastPlain = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainEverySeconds = 5,
  ) {}

  show(f: ProgressFigures): void {
    const line = progressLine(f);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
    } else if (f.elapsed - this.lastPlain >= this.plainEverySeconds) {
      this.lastPlain = f.elapsed;
      this.stream.write(`${line}\n`);
    }
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}
