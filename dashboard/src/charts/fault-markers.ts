import type uPlot from "uplot";

/** A vertical marker on a time chart, e.g. "payment_failure set" at the second it happened. */
export interface ChartMarker {
  /** Epoch seconds (the charts' x unit). */
  at: number;
  label: string;
  kind: "set" | "clear";
}

/**
 * A uPlot plugin drawing fault-timeline markers: a dashed line per marker with its label, so a
 * latency jump can be read against the fault that caused it. Colours come from the theme.
 */
export function faultMarkersPlugin(
  markers: () => ReadonlyArray<ChartMarker>,
  colors: { set: string; clear: string },
) {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const list = markers();
          if (list.length === 0) return;
          const { ctx } = u;
          const { top, height, left, width } = u.bbox;
          ctx.save();
          ctx.lineWidth = Math.max(1, devicePixelRatio);
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.textBaseline = "top";
          for (const marker of list) {
            const x = Math.round(u.valToPos(marker.at, "x", true));
            if (x < left || x > left + width) continue;
            const color = marker.kind === "set" ? colors.set : colors.clear;
            ctx.strokeStyle = color;
            ctx.fillStyle = color;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillText(marker.label, x + 4 * devicePixelRatio, top + 2 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  } satisfies uPlot.Plugin;
}
