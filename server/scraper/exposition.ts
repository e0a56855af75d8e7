/** One sample line of the Prometheus text format: `name{label="v",…} value [timestamp]`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(raw: string): number {
  if (raw === "+Inf" || raw === "Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  if (raw === "NaN") return Number.NaN;
  const n = Number(raw);
  if (raw === "" || Number.isNaN(n)) throw new Error(`bad value "${raw}"`);
  return n;
}

/** Parses `{a="x",b="y\"z"}` starting at `i` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === " " || line[i] === ",") i++;
    if (line[i] === "}") return { labels, end: i + 1 };
    const name = NAME.exec(line.slice(i))?.[0];
    if (!name) throw new Error(`bad label name at column ${i + 1}`);
    i += name.length;
    if (line[i] !== "=" || line[i + 1] !== '"') throw new Error(`expected ="… after label ${name}`);
    i += 2;
    let value = "";
    for (;;) {
      const ch = line[i];
      if (ch === undefined) throw new Error(`unterminated value of label ${name}`);
      if (ch === '"') break;
      if (ch === "\\") {
        const next = line[i + 1];
        value += next === "n" ? "\n" : (next ?? "");
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    labels[name] = value;
    i++;
  }
}

/**
 * Flat samples of a text exposition (families and types are not needed by the scraper).
 * Throws naming the line on malformed input. Histogram and summary parts come out as their
 * `_bucket`, `_sum` and `_count` samples with all labels kept.
 */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const name = NAME.exec(line)?.[0];
      if (!name) throw new Error("no metric name");
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === "{") ({ labels, end: i } = parseLabels(line, i));
      const [raw] = line.slice(i).trim().split(/\s+/);
      samples.push({ name, labels, value: parseValue(raw ?? "") });
    } catch (error) {
      throw new Error(`line ${n + 1}: ${(error as Error).message}`);
    }
  }
  return samples;
}
