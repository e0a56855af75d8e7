import { escapeHtml } from "./escape.ts";

/** One line of a chart: `[seconds since the run's first point, value]` pairs; a null value is a gap. */
export interface ChartLine {
  label: string;
  color: string;
  points: ReadonlyArray<readonly [number, number | null]>;
}

/** A vertical marker (fault set or cleared) at seconds since the first point. */
export type ChartMarker = readonly [number, string];

const W = 860;
const H = 220;
const PAD = { l: 64, r: 12, t: 24, b: 28 };

/**
 * An inline SVG line chart with its unit on the axis and in the caption (no scripts, no external
 * files: the report is one file). Marker labels are staggered in rows so they never overlap.
 * A null value breaks its line (no figure that second, never a zero); `empty` says why when no
 * point has a value.
 */
export function svgChart(
  id: string,
  title: string,
  unit: string,
  lines: ReadonlyArray<ChartLine>,
  markers: ReadonlyArray<ChartMarker> = [],
  empty = "no data",
): string {
  const head = `<figure data-chart="${escapeHtml(id)}" data-unit="${escapeHtml(unit)}" data-lines="${lines.map((l) => escapeHtml(l.label)).join("|")}" data-points="${lines[0]?.points.length ?? 0}">`;
  const xs = lines.flatMap((l) => l.points.map((p) => p[0]));
  const ys = lines.flatMap((l) => l.points.flatMap((p) => (p[1] === null ? [] : [p[1]])));
  if (ys.length === 0)
    return `${head}<figcaption>${escapeHtml(title)} (${escapeHtml(unit)})</figcaption><p>${escapeHtml(empty)}</p></figure>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  // Headroom above the highest point, but a share never reads past 100 %.
  const top = Math.max(...ys, 1e-9) * 1.1;
  // "2.5/s" as everywhere else, but "5 ms" and "10 %".
  const unitSep = unit.startsWith("/") ? "" : " ";
  const y1 = unit === "%" && Math.max(...ys) <= 100 ? Math.min(100, top) : top;
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = sy(y1 * f);
      return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${axisValue(y1 * f)}${unitSep}${escapeHtml(unit)}</text>`;
    })
    .join("");
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const x = x0 + (x1 - x0) * f;
      const anchor = f === 0 ? "start" : f === 1 ? "end" : "middle";
      return `<text x="${sx(x)}" y="${H - 8}" text-anchor="${anchor}">${Math.round(x - x0)} s</text>`;
    })
    .join("");
  const paths = lines
    .map((l) => {
      let d = "";
      let move = true;
      for (const [x, y] of l.points) {
        if (y === null) move = true;
        else {
          d += `${move ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
          move = false;
        }
      }
      return `<path data-line="${escapeHtml(l.label)}" d="${d}" fill="none" stroke="${l.color}" stroke-width="1.6"/>`;
    })
    .join("");
  const marks = markers
    .map(([x, label], i) => {
      const row = i % 3;
      return `<line x1="${sx(x)}" x2="${sx(x)}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="#b00" stroke-dasharray="4 3"/><text data-marker x="${sx(x) + 3}" y="${PAD.t - 12 + row * 11}" fill="#b00">${escapeHtml(label)}</text>`;
    })
    .join("");
  const legend = lines.map((l) => `<span style="color:${l.color}">■ ${escapeHtml(l.label)}</span>`).join(" ");
  return `${head}<figcaption>${escapeHtml(title)} (${escapeHtml(unit)}) ${legend}</figcaption><svg viewBox="0 -12 ${W} ${H + 12}" width="100%" role="img" aria-label="${escapeHtml(title)} in ${escapeHtml(unit)}">${grid}${ticks}${marks}${paths}</svg></figure>`;
}

function axisValue(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}
