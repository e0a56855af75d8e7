import type uPlot from "uplot";
import { layoutLabels } from "./label-layout.ts";

/** A vertical marker on a time chart, e.g. "payment_failure set" at the second it happened. */
export interface ChartMarker {
  /** Epoch seconds (the charts' x unit). */
  at: number;
  label: string;
  kind: "set" | "clear";
  /** Longer text for the tooltip-less canvas: who and with what parameters (not drawn). */
  detail?: string;
}

/** Rows of labels at most; further labels keep their line but not their text. */
const MAX_LANES = 3;

/**
 * A uPlot plugin drawing fault markers: a dashed line per marker with its label, so a latency
 * jump can be read against the fault that caused it. Labels never overlap (label-layout.ts).
 * Colours come from the theme.
 */
export function faultMarkersPlugin(
  markers: () => ReadonlyArray<ChartMarker>,
  colors: { set: string; clear: string; background: string },
) {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const { ctx } = u;
          const { top, height, left, width } = u.bbox;
          const dpr = devicePixelRatio;
          const list = markers()
            .map((marker) => ({ marker, x: Math.round(u.valToPos(marker.at, "x", true)) }))
            .filter(({ x }) => x >= left && x <= left + width);
          if (list.length === 0) return;
          ctx.save();
          ctx.font = `${11 * dpr}px system-ui, sans-serif`;
          ctx.textBaseline = "top";
          // uPlot leaves its own alignment behind (right, from the y axis labels).
          ctx.textAlign = "left";
          const lineHeight = 14 * dpr;
          const placed = layoutLabels(
            list.map(({ marker, x }) => ({ x, width: ctx.measureText(marker.label).width })),
            { left, right: left + width, maxLanes: MAX_LANES, gap: 6 * dpr, pad: 4 * dpr },
          );
          ctx.lineWidth = Math.max(1, dpr);
          ctx.setLineDash([6 * dpr, 4 * dpr]);
          for (const { marker, x } of list) {
            ctx.strokeStyle = marker.kind === "set" ? colors.set : colors.clear;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
          }
          ctx.setLineDash([]);
          list.forEach(({ marker }, i) => {
            const p = placed[i]!;
            if (p.hidden) return;
            const y = top + 2 * dpr + p.lane * lineHeight;
            const w = ctx.measureText(marker.label).width;
            // A backing box keeps the text readable over the plotted lines.
            ctx.fillStyle = colors.background;
            ctx.globalAlpha = 0.85;
            ctx.fillRect(p.left - 2 * dpr, y - 1 * dpr, w + 4 * dpr, lineHeight);
            ctx.globalAlpha = 1;
            ctx.fillStyle = marker.kind === "set" ? colors.set : colors.clear;
            ctx.fillText(marker.label, p.left, y);
          });
          ctx.restore();
        },
      ],
    },
  } satisfies uPlot.Plugin;
}
