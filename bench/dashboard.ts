/**
 * Dashboard benchmark: how long the chart takes to render a one-hour run at one-second
 * resolution (3,600 points × 8 series) in headless chromium, against baselines measured in the
 * same run (one minute of data, and the ~600 points the dashboard actually requests for an hour
 * via the hub's `resolution`), the cost of one live update, and the gzipped JavaScript size.
 *
 * Run: npm run bench:dashboard   (builds the dashboard first; needs chromium, see test/helpers/browser.ts)
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, preview } from "vite";
import { chromiumInstalled, chromiumPath, launchBrowser } from "../test/helpers/browser.ts";
import { reportFigures } from "./figures.ts";

const root = fileURLToPath(new URL("../dashboard/", import.meta.url));
const SERIES = 8;
const REPEATS = 7;

async function gzippedJs(): Promise<{ raw: number; gzip: number; files: number }> {
  const dir = join(root, "dist", "assets");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".js"));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip, files: files.length };
}

/** Runs in the page: renders a pw-chart with `points` × `series` and returns timings in ms. */
function renderInPage([points, series, repeats]: [number, number, number]): Promise<{
  render: number[];
  update: number[];
}> {
  const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
  const start = Math.floor(Date.now() / 1000) - points;
  const xs = Array.from({ length: points }, (_, i) => start + i);
  const columns = Array.from({ length: series }, (_, s) =>
    xs.map((_, i) => 50 + s * 20 + 30 * Math.sin(i / 60 + s) + ((i * 7919) % 13)),
  );
  const specs = Array.from({ length: series }, (_, s) => ({
    label: `series ${s}`,
    color: `--pw-chart-${(s % 5) + 1}`,
  }));
  return (async () => {
    const render: number[] = [];
    const update: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const host = document.createElement("div");
      host.style.width = "1200px";
      document.body.append(host);
      const t0 = performance.now();
      const chart = document.createElement("pw-chart") as HTMLElement & {
        series: unknown;
        data: unknown;
        unit: string;
        updateComplete: Promise<boolean>;
      };
      chart.unit = "ms";
      chart.series = specs;
      chart.data = [xs, ...columns];
      host.append(chart);
      await chart.updateComplete;
      await frame();
      render.push(performance.now() - t0);
      // One live second: append a point and swap the data, as the live view does.
      const t1 = performance.now();
      chart.data = [[...xs, xs.at(-1)! + 1], ...columns.map((c) => [...c, c.at(-1)!])];
      await chart.updateComplete;
      await frame();
      update.push(performance.now() - t1);
      host.remove();
    }
    return { render, update };
  })();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  if (!chromiumInstalled) {
    console.log(`bench:dashboard needs chromium at ${chromiumPath}`);
    process.exitCode = 1;
    return;
  }
  await build({ root, configFile: join(root, "vite.config.ts"), logLevel: "warn" });
  const size = await gzippedJs();
  const server = await preview({
    root,
    configFile: join(root, "vite.config.ts"),
    preview: { port: 0, host: "127.0.0.1", proxy: {} },
    logLevel: "silent",
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error("vite preview did not report a URL");
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    // tsx compiles this file with keepNames, so functions sent to the page call esbuild's __name.
    await page.addInitScript({ content: "globalThis.__name = (fn) => fn;" });
    await page.route("**/api/**", (route) => route.fulfill({ status: 401, body: "{}" }));
    await page.goto(url);
    await page.waitForFunction(() => customElements.get("pw-chart") !== undefined);
    const cases = [
      { name: "baseline: one minute at 1 s", points: 60 },
      { name: "one hour downsampled to 6 s (what the dashboard requests)", points: 600 },
      { name: "one hour at 1 s", points: 3600 },
    ];
    await page.evaluate(renderInPage, [600, SERIES, 2] as [number, number, number]); // warm-up: JIT and fonts
    console.log(
      `chart render in headless chromium, ${SERIES} series, median of ${REPEATS} (first paint included)`,
    );
    const results: Record<string, number> = {};
    for (const c of cases) {
      const t = await page.evaluate(renderInPage, [c.points, SERIES, REPEATS] as [number, number, number]);
      results[c.name] = median(t.render);
      console.log(
        `  ${c.name.padEnd(58)} ${String(c.points * SERIES).padStart(6)} values  render ${median(t.render).toFixed(1).padStart(6)} ms  live update ${median(t.update).toFixed(1).padStart(5)} ms`,
      );
    }
    const hour = results["one hour at 1 s"]!;
    const base = results["baseline: one minute at 1 s"]!;
    console.log(`  one hour at 1 s costs ${(hour / base).toFixed(2)}× the one-minute baseline`);
    reportFigures("bench:dashboard", [
      {
        measure: `chart render in headless chromium, one hour at 1 s (${3600 * SERIES} values)`,
        value: `${hour.toFixed(1)} ms`,
        baseline: `one minute at 1 s ${base.toFixed(1)} ms`,
        ratio: `${(hour / base).toFixed(2)}×`,
      },
      {
        measure: "dashboard JavaScript",
        value: `${(size.gzip / 1024).toFixed(1)} KiB gzipped`,
        baseline: `${(size.raw / 1024).toFixed(1)} KiB minified`,
      },
    ]);
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(
    `JavaScript: ${size.files} file(s), ${(size.raw / 1024).toFixed(1)} KiB minified, ${(size.gzip / 1024).toFixed(1)} KiB gzipped`,
  );
}

await main();
