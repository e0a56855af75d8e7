import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { commonSettings, optionalString, parseEnv } from "../core/config.ts";
import { instantFormat } from "../core/instant.ts";
import { verdictStateLabels, verdictStates } from "../core/verdict.ts";
import { fetchVerdict } from "../loadgen/outputs/verdict.ts";

const usage = `Usage: peakwatch runs [--limit N]

Lists the load runs whose reports are on this machine (<data dir>/runs/<id>/summary.json: runs
of \`peakwatch run\` and those the hub started; a run the hub split over workers is one line
from its workers' <id>/w<N>/summary.json, its verdict asked of the hub of the running stack or
PEAKWATCH_HUB_URL), newest first: id, profile, start, length, status
and verdict. Open one in the dashboard (History, or #/runs/<id>) or its report.html.

Options:
  --limit N    how many runs at most (default 20, at most 1000)
  -h, --help   this text`;

/** The fields of a run's summary.json the list shows; a file without them is skipped. */
const Listed = z.object({
  runId: z.string(),
  profile: z.string(),
  status: z.string(),
  verdict: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  /** Thresholds and the alerts that fired, when the run reported to a hub. */
  combinedVerdict: z
    .object({
      state: z.enum(verdictStates),
      incidents: z.array(z.object({ severity: z.string() })),
      runLine: z.string().optional(),
    })
    .optional()
    .catch(undefined),
});
/** A listed run; `split` when the hub split it over workers, each of which wrote its own share's summary. */
type Listed = z.infer<typeof Listed> & {
  split?: { workers: number; statuses: string[]; requests: number; errors: number };
};

/** The figures a worker's summary adds to its split run's line. */
const Share = Listed.extend({ requests: z.number(), errors: z.number() });

/** A worker's folder of a run the hub split: w0, w1, … */
const WORKER_DIR = /^w\d{1,4}$/;

/** Split runs whose verdict is asked of the hub at most, so a long list stays quick. */
const MAX_VERDICTS_ASKED = 20;

/** A summary.json larger than this is not read (it holds per-second series; a day's run is a few MB). */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

/** "9 s", "5 min 26 s", "2 h 5 min". */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
}

/** The newest `limit` runs under `runsDir` with a readable summary, newest first; never throws. */
export function listRuns(runsDir: string, limit: number): Listed[] {
  let ids: string[];
  try {
    ids = readdirSync(runsDir);
  } catch {
    return [];
  }
  const found: Array<{ files: string[]; mtime: number }> = [];
  for (const id of ids) {
    const own = summaryFile(join(runsDir, id, "summary.json"));
    if (own) {
      found.push({ files: [own.file], mtime: own.mtime });
      continue;
    }
    // A run the hub split over workers on this machine: one summary per worker's share.
    const shares = workerDirs(join(runsDir, id)).flatMap((w) => {
      const share = summaryFile(join(runsDir, id, w, "summary.json"));
      return share ? [share] : [];
    });
    if (shares.length > 0)
      found.push({ files: shares.map((f) => f.file), mtime: Math.max(...shares.map((f) => f.mtime)) });
  }
  const runs: Listed[] = [];
  for (const { files } of found.sort((a, b) => b.mtime - a.mtime)) {
    if (runs.length >= limit) break;
    const run =
      files.length === 1 && !WORKER_DIR.test(basename(dirname(files[0]!))) ? whole(files[0]!) : split(files);
    if (run) runs.push(run);
  }
  return runs.sort((a, b) => b.startedAt - a.startedAt);
}

/** The file when it is a summary small enough to read, with its modification time. */
function summaryFile(file: string): { file: string; mtime: number } | undefined {
  try {
    const st = statSync(file);
    return st.isFile() && st.size <= MAX_SUMMARY_BYTES ? { file, mtime: st.mtimeMs } : undefined;
  } catch {
    return undefined; // A run still going: no summary yet.
  }
}

/** The worker folders (w0, w1, …) of a run's folder, in worker order. */
function workerDirs(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => WORKER_DIR.test(name))
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  } catch {
    return [];
  }
}

/** A summary read and checked, or undefined when half-written or not ours. */
function read<T>(file: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const whole = (file: string): Listed | undefined => read(file, Listed);

/** One line for a split run from its workers' summaries: their span, shares' statuses and summed figures. */
function split(files: ReadonlyArray<string>): Listed | undefined {
  const shares = files.flatMap((f) => {
    const share = read(f, Share);
    return share ? [share] : [];
  });
  const first = shares[0];
  if (!first) return undefined;
  return {
    runId: first.runId,
    profile: first.profile,
    status: first.status,
    verdict: first.verdict,
    startedAt: Math.min(...shares.map((s) => s.startedAt)),
    endedAt: Math.max(...shares.map((s) => s.endedAt)),
    split: {
      workers: shares.length,
      statuses: [...new Set(shares.map((s) => s.status))],
      requests: shares.reduce((n, s) => n + s.requests, 0),
      errors: shares.reduce((n, s) => n + s.errors, 0),
    },
  };
}

/**
 * One line a run: id, profile, local start time, length, and its verdict: the state as the
 * dashboard says it (thresholds and the alerts that fired: "passed with incidents", never a bare
 * "passed" next to critical alerts), the figures, and how many alerts fired by severity.
 */
export function runLine(r: Listed, idWidth: number): string {
  const started = instantFormat.format(r.startedAt);
  const when = [
    r.runId.padEnd(idWidth),
    r.profile.padEnd(14),
    started,
    duration((r.endedAt - r.startedAt) / 1000).padStart(11),
  ];
  if (r.split) {
    // Each worker judged its share only: the whole run's verdict is the hub's.
    const { workers, statuses, requests, errors } = r.split;
    const summed = `${requests} requests, ${(requests === 0 ? 0 : (errors / requests) * 100).toFixed(2)} % errors over ${workers} workers`;
    const combined = r.combinedVerdict;
    // The hub's line for the whole run ("failed: …, stopped early: … on worker w1"), else the workers' sums.
    const line = combined?.runLine?.replace(/^[a-z-]+:\s*/, "");
    const figures = line ? `${line} (${workers} workers)` : summed;
    return [
      ...when,
      combined
        ? `${verdictStateLabels[combined.state]}: ${figures}${alertCounts(combined.incidents)}`
        : `shares ${statuses.join("/")}: ${figures}; the run's verdict: the dashboard's History (no hub to ask)`,
    ].join("  ");
  }
  // The verdict starts with the status: "aborted: 5 requests, 0.00 % errors, …".
  const figures = r.verdict.startsWith(`${r.status}:`)
    ? r.verdict.slice(r.status.length + 1).trim()
    : r.verdict;
  const combined = r.combinedVerdict;
  const state = combined ? verdictStateLabels[combined.state] : r.status;
  return [...when, `${state}: ${figures}${combined ? alertCounts(combined.incidents) : ""}`].join("  ");
}

/** "; 2 critical alerts, 1 warning" ("" when none fired). */
function alertCounts(incidents: ReadonlyArray<{ severity: string }>): string {
  const bySeverity = new Map<string, number>();
  for (const i of incidents) bySeverity.set(i.severity, (bySeverity.get(i.severity) ?? 0) + 1);
  const parts = [...bySeverity].map(([severity, n]) =>
    severity === "critical"
      ? `${n} critical alert${n === 1 ? "" : "s"}`
      : `${n} ${severity}${n === 1 ? "" : "s"}`,
  );
  return parts.length > 0 ? `; ${parts.join(", ")}` : "";
}

/** `peakwatch runs`: the runs whose reports are in this machine's data directory. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { limit: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    console.error(`peakwatch runs: --limit: expected a whole number from 1 to 1000, got "${values.limit}"`);
    return 2;
  }
  const env = parseEnv(
    z.object({
      PEAKWATCH_DATA_DIR: commonSettings.PEAKWATCH_DATA_DIR,
      PEAKWATCH_HUB_URL: optionalString.pipe(z.url().optional()),
      PEAKWATCH_AGENT_TOKEN: optionalString,
    }),
    process.env,
  );
  const runsDir = join(env.PEAKWATCH_DATA_DIR, "runs");
  const runs = listRuns(runsDir, limit);
  // A split run's workers each judged their share: the run's verdict is the hub's, asked for when
  // this machine's stack (or the environment) says where the hub is.
  const hub =
    env.PEAKWATCH_HUB_URL && env.PEAKWATCH_AGENT_TOKEN
      ? { url: env.PEAKWATCH_HUB_URL, token: env.PEAKWATCH_AGENT_TOKEN }
      : undefined;
  const split = runs.filter((r) => r.split).slice(0, MAX_VERDICTS_ASKED);
  if (hub)
    await Promise.all(
      split.map(async (r) => {
        const verdict = await fetchVerdict(hub, r.runId, 3000);
        if (verdict) r.combinedVerdict = verdict;
      }),
    );
  if (runs.length === 0) {
    console.log(`No run reports in ${runsDir} yet. Start one with: peakwatch run smoke`);
    return 0;
  }
  const width = Math.max(...runs.map((r) => r.runId.length));
  for (const r of runs) console.log(runLine(r, width));
  console.log(
    `\nReports: ${runsDir}/<id>/report.html; every run the hub knows: the dashboard's History view.`,
  );
  return 0;
}
