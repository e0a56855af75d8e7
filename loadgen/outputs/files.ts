import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunVerdict } from "../../core/verdict.ts";
import type { RunStats } from "../run-stats.ts";
import { htmlReport } from "./html.ts";
import { junitXml } from "./junit.ts";
import type { RunSummary } from "./summary.ts";

export interface RunFiles {
  summary: string;
  junit: string;
  html: string;
}

/** Writes summary.json, thresholds.xml (JUnit) and report.html of a finished run into `outDir`. */
export function writeRunFiles(
  outDir: string,
  summary: RunSummary,
  stats: RunStats,
  hubVerdict: RunVerdict | null,
): RunFiles {
  mkdirSync(outDir, { recursive: true });
  const files = {
    summary: join(outDir, "summary.json"),
    junit: join(outDir, "thresholds.xml"),
    html: join(outDir, "report.html"),
  };
  writeFileSync(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(
    files.junit,
    junitXml(
      summary.runId,
      summary.profile,
      summary.thresholds,
      summary.elapsedSeconds,
      hubVerdict,
      summary.workerLosses,
    ),
  );
  writeFileSync(files.html, htmlReport(summary, stats));
  return files;
}
