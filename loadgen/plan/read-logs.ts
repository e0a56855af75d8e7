/**
 * The I/O shell of `profile from-log`: streams log files line by line through the pure parser,
 * sessioniser and deriver. Files may be in any order; their requests are merged by time.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { DerivedFrom } from "../../core/derived-profile.ts";
import type { ProfileInput } from "../../core/profile.ts";
import { type JsonFields, type LogFormat, type LogRequest, lineParser, sniffFormat } from "./access-log.ts";
import { type DeriveOptions, ProfileDeriver } from "./derive.ts";
import type { RouteMap } from "./routes.ts";
import { Sessioniser, sortRequests } from "./sessions.ts";

export interface FromLogOptions extends Omit<DeriveOptions, "files" | "lines" | "unparsedLines"> {
  files: string[];
  /** Sniffed from each file's first line when absent. */
  format?: LogFormat;
  fields?: JsonFields;
  routes: RouteMap;
  idleGapMs: number;
}

export interface FromLogResult {
  profile: ProfileInput;
  derivedFrom: DerivedFrom;
  /** The first few unparsable lines' reasons (never the lines themselves: they hold addresses). */
  unparsedReasons: Map<string, number>;
}

/** Reads, sessionises and derives; throws with the file name when a file cannot be read. */
export async function profileFromLogs(o: FromLogOptions): Promise<FromLogResult> {
  const requests: LogRequest[] = [];
  const unparsedReasons = new Map<string, number>();
  let lines = 0;
  let unparsed = 0;
  for (const file of o.files) {
    const input = createReadStream(file);
    const stream = file.endsWith(".gz") ? input.pipe(createGunzip()) : input;
    let parse: ReturnType<typeof lineParser> | undefined = o.format
      ? lineParser(o.format, o.fields)
      : undefined;
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
        if (line.trim() === "") continue;
        lines++;
        parse ??= lineParser(sniffFormat(line), o.fields);
        const r = parse(line);
        if (r.ok) requests.push(r.request);
        else {
          unparsed++;
          unparsedReasons.set(r.reason, (unparsedReasons.get(r.reason) ?? 0) + 1);
        }
      }
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const deriver = new ProfileDeriver(o.maxThinkSeconds);
  const sessioniser = new Sessioniser(o.routes, deriver.add, o.idleGapMs);
  for (const r of sortRequests(requests)) sessioniser.add(r);
  sessioniser.end();
  const { profile, derivedFrom } = deriver.derive(sessioniser.tally, {
    ...o,
    files: o.files.length,
    lines,
    unparsedLines: unparsed,
  });
  return { profile, derivedFrom, unparsedReasons };
}
