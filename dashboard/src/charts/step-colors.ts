import { seriesColors } from "./top-series.ts";

/**
 * Line colours of per-step series that stay put while the palette lives: a step keeps the colour
 * it was first drawn in, whatever order or top-N choice later redraws bring (a reload lists the
 * steps in another order than the live seconds did). Colours held are always distinct; once all
 * are taken, a new step takes the colour of the longest-held step not drawn at the moment.
 */
export class StepColors {
  private readonly byStep = new Map<string, string>();

  /** One colour (a theme variable name) per step, in the order given; `steps` are the ones drawn now. */
  colorsOf(steps: ReadonlyArray<string>): string[] {
    return steps.map((step) => this.colorOf(step, steps));
  }

  private colorOf(step: string, drawn: ReadonlyArray<string>): string {
    const held = this.byStep.get(step);
    if (held) return held;
    const taken = new Set(this.byStep.values());
    let color: string | undefined = seriesColors.find((c) => !taken.has(c));
    if (!color) {
      const idle = [...this.byStep.keys()].find((s) => !drawn.includes(s));
      // More steps drawn than colours: cannot happen under topSeries's limit; repeat rather than fail.
      if (idle === undefined) return seriesColors[this.byStep.size % seriesColors.length]!;
      color = this.byStep.get(idle)!;
      this.byStep.delete(idle);
    }
    this.byStep.set(step, color);
    return color;
  }
}
