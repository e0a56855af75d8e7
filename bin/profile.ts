/**
 * `peakwatch profile from-log FILE… --out profile.yaml` and `peakwatch profile example-log`:
 * argument parsing and files; the work is in loadgen/plan (pure parsing, sessions, mapping, curve).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { Document, isMap, isSeq, parse as parseYaml } from "yaml";
import { argsErrorMessage } from "../core/cli-args.ts";
import { parseProfile } from "../core/profile.ts";
import {
  defaultJsonFields,
  type JsonFields,
  type LogFormat,
  logFormats,
} from "../loadgen/plan/access-log.ts";
import { parseCompress } from "../loadgen/plan/curve.ts";
import { exampleLog } from "../loadgen/plan/example-log.ts";
import { profileFromLogs } from "../loadgen/plan/read-logs.ts";
import { parseRouteMap, RouteMap } from "../loadgen/plan/routes.ts";

export const PROFILE_USAGE = `Usage:
  peakwatch profile from-log FILE… --out profile.yaml [options]
  peakwatch profile example-log [--out FILE] [options]

from-log reads access logs (nginx/Apache combined, or JSON lines; .gz too), groups requests into
sessions (client + user agent + idle gap), maps URLs to journey steps by route templates and
writes a load profile: the arrival curve of sessions/s (smoothed, peak marked), the journey mix,
think times, and the logged-in and checkout shares. No address, email, token or query string of
the log reaches the profile.
  --out FILE              where the profile goes (.yaml or .json); required
  --format combined|json  log format (default: guessed from each file's first line)
  --field NAME=a,b        JSON field names to try for NAME (time, client, userAgent, method, path,
                          request, status, user); repeatable
  --routes FILE           route map (YAML/JSON: routes: [{match: "GET /p/:id", step: product}], ignore: […])
  --scale N               multiply the curve (3 = three times the traffic)
  --compress Nx           play the log's time N times faster, same shape (60x: a day in 24 minutes)
  --bucket SECONDS        curve resolution (default: a day in quarter hours)
  --smooth N              moving-average width in buckets (default 3)
  --idle-gap DURATION     a pause longer than this starts a new session (default 30m)
  --name NAME             profile name (default: from --out)

example-log writes a realistic synthetic day of a shop's log with a known curve and mix.
  --out FILE              default: standard output
  --format combined|json  default combined
  --peak N                sessions/s at the evening peak (default 0.2)
  --hours N               length (default 24)
  --seed N                random seed (default 1128)`;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function positive(flag: string, raw: string | undefined, fallback: number, max = 1_000_000): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0 && n <= max))
    throw new Error(`--${flag}: expected a number > 0 and ≤ ${max}, got "${raw}"`);
  return n;
}

function format(raw: string | undefined): LogFormat | undefined {
  if (raw === undefined) return undefined;
  if (!(logFormats as ReadonlyArray<string>).includes(raw))
    throw new Error(`--format: use combined or json, got "${raw}"`);
  return raw as LogFormat;
}

function jsonFields(specs: string[] | undefined): JsonFields {
  const fields = { ...defaultJsonFields };
  for (const spec of specs ?? []) {
    const [name, list] = spec.split("=", 2);
    if (!name || !list || !(name in fields))
      throw new Error(
        `--field: expected NAME=a,b with NAME one of ${Object.keys(fields).join(", ")}, got "${spec}"`,
      );
    fields[name as keyof JsonFields] = list
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return fields;
}

function routeMap(file: string | undefined): RouteMap {
  if (file === undefined) return new RouteMap();
  let input: unknown;
  try {
    input = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`--routes: cannot read ${file}: ${(error as Error).message}`);
  }
  const r = parseRouteMap(input);
  if (!r.ok) throw new Error(`--routes: ${file}: ${r.error}`);
  return r.map;
}

/** YAML with one line per stage and per journey, so a day's 96 stages stay readable. */
function yamlOf(profile: object): string {
  const doc = new Document(profile);
  for (const key of ["stages", "journeys"]) {
    const seq = doc.get(key);
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  return doc.toString({ lineWidth: 120 });
}

async function fromLog(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      format: { type: "string" },
      field: { type: "string", multiple: true },
      routes: { type: "string" },
      scale: { type: "string" },
      compress: { type: "string" },
      bucket: { type: "string" },
      smooth: { type: "string" },
      "idle-gap": { type: "string" },
      name: { type: "string" },
    },
  });
  if (positionals.length === 0) throw new Error("missing FILE: give one or more access logs");
  if (!values.out) throw new Error("--out is required (profile.yaml or profile.json)");
  if (!/\.(json|ya?ml)$/i.test(values.out))
    throw new Error(
      `--out ${values.out}: end the name in .yaml or .json (peakwatch run reads a profile file by its extension)`,
    );
  const gap = DURATION.exec(values["idle-gap"] ?? "30m");
  if (!gap) throw new Error(`--idle-gap: expected a duration such as "30m", got "${values["idle-gap"]}"`);
  const smoothing = positive("smooth", values.smooth, 3, 99);
  if (!Number.isInteger(smoothing))
    throw new Error(`--smooth: expected a whole number of buckets, got "${values.smooth}"`);
  const name = values.name ?? basename(values.out).replace(/\.(ya?ml|json)$/i, "");
  const result = await profileFromLogs({
    files: positionals,
    format: format(values.format),
    fields: jsonFields(values.field),
    routes: routeMap(values.routes),
    idleGapMs: Number(gap[1]) * UNIT_MS[gap[2]!]!,
    name,
    scale: positive("scale", values.scale, 1, 1000),
    compress: values.compress === undefined ? 1 : parseCompress(values.compress),
    bucketSeconds: values.bucket === undefined ? undefined : positive("bucket", values.bucket, 900, 86_400),
    smoothingBuckets: smoothing,
  });
  const checked = parseProfile(result.profile);
  if (!checked.ok) throw new Error(`the derived profile is not valid: ${checked.error}`);
  const d = result.derivedFrom;
  const json = /\.json$/i.test(values.out);
  const header = [
    `# Load profile derived by \`peakwatch profile from-log\` from ${d.sessions} sessions (${d.firstRequest} – ${d.lastRequest}).`,
    `# Peak ${d.peak.rate} sessions/s at ${d.peak.at} (${d.peak.profileSeconds} s into the profile). Run it: peakwatch run ${values.out}`,
    "",
  ].join("\n");
  writeFileSync(
    values.out,
    json ? `${JSON.stringify(result.profile, null, 2)}\n` : `${header}${yamlOf(result.profile)}`,
  );
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(`profile ${name} → ${values.out}`);
  console.log(
    `  ${d.lines} lines (${d.unparsedLines} unparsed), ${d.requests} requests, ${d.ignoredRequests} ignored (assets, health checks)`,
  );
  console.log(
    `  ${d.sessions} sessions; ${d.sessionsWithoutSteps} without a known step left out (scanners, bots)`,
  );
  console.log(
    `  peak ${d.peak.rate} sessions/s at ${d.peak.at}; curve in ${d.bucketSeconds} s buckets, ${result.profile.stages!.length} stages`,
  );
  console.log(
    `  mix: ${Object.entries(d.journeyShares)
      .map(([j, s]) => `${j} ${pct(s)}`)
      .join(", ")}`,
  );
  console.log(`  logged in ${pct(d.loggedInShare)}, checkout ${pct(d.checkoutShare)}`);
  for (const [reason, n] of result.unparsedReasons) console.log(`  unparsed: ${n} lines: ${reason}`);
  if (d.unknownRoutes.requests > 0) {
    console.log(`  ${d.unknownRoutes.requests} requests on unknown routes (map them with --routes):`);
    for (const r of d.unknownRoutes.top.slice(0, 10))
      console.log(`    ${String(r.requests).padStart(7)}  ${r.route}`);
  }
  return 0;
}

function exampleLogCommand(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      format: { type: "string" },
      peak: { type: "string" },
      hours: { type: "string" },
      seed: { type: "string" },
    },
  });
  const { lines, truth } = exampleLog({
    format: format(values.format),
    peakRate: positive("peak", values.peak, 0.2, 1000),
    hours: positive("hours", values.hours, 24, 24 * 14),
    seed: positive("seed", values.seed, 1128, 2 ** 32),
  });
  const text = `${lines.join("\n")}\n`;
  if (!values.out) {
    process.stdout.write(text);
    return 0;
  }
  writeFileSync(values.out, text);
  const mix = Object.entries(truth.mix).map(([j, s]) => `${j} ${(s * 100).toFixed(1)} %`);
  console.log(`${lines.length} lines → ${values.out}`);
  console.log(
    `  peak ${truth.peakRate} sessions/s at ${new Date(truth.startMs + truth.peakAtSeconds * 1000).toISOString()}`,
  );
  console.log(`  mix: ${mix.join(", ")}; logged in ${(truth.loggedInShare * 100).toFixed(1)} %`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || rest.includes("--help")) {
    console.log(PROFILE_USAGE);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === "from-log") return await fromLog(rest);
    if (sub === "example-log") return exampleLogCommand(rest);
    console.error(`peakwatch profile: unknown subcommand "${sub}"\n\n${PROFILE_USAGE}`);
    return 2;
  } catch (error) {
    console.error(`peakwatch profile ${sub}: ${argsErrorMessage(error)}`);
    return 2;
  }
}
