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

/** One progress line: elapsed/total, current rate, p95 and errors. Pure, for testing. */
export function progressLine(f: ProgressFigures): string {
  const p = f.point;
  const rate = p ? `${p.achieved > 0 ? p.achieved : p.requests}/s` : "-";
  // One decimal where the rate has one: 2.5/s must not read as 3/s beside an achieved 2/s.
  const target = f.targetRate > 0 ? ` (target ${Number(f.targetRate.toFixed(1))}/s)` : "";
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
    `rate ${rate}${target}`,
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
