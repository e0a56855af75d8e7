import { readFile } from "node:fs/promises";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { describeZodError, formatPath } from "../core/http/validate.ts";
import { type Probe, type ProbeFile, ProbeFileSchema } from "../core/probe.ts";
import { parsePath } from "./json-path.ts";
import { findUndefinedVariable } from "./template-check.ts";

export type ProbeFileOutcome = { ok: true; file: ProbeFile } | { ok: false; error: string };

/**
 * Validates probe file text (YAML, or JSON, which is YAML too). The error names the file, the
 * field and what is wrong: `probes.yaml: probes[2].assertions[0].pattern: not a valid regular expression`.
 */
export function parseProbeFile(text: string, source: string): ProbeFileOutcome {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` line ${error.linePos[0].line}` : "";
    return {
      ok: false,
      error: `${source}${where}: not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`,
    };
  }
  const result = ProbeFileSchema.safeParse(data);
  if (!result.success)
    return {
      ok: false,
      error: describeZodError(result.error, source).replaceAll(`${source}.`, `${source}: `),
    };
  const bad = findBadJsonPath(result.data.probes) ?? findUndefinedVariable(result.data.probes);
  if (bad) return { ok: false, error: `${source}: ${bad}` };
  return { ok: true, file: result.data };
}

/** Reads and validates a probe file; never throws. */
export async function loadProbeFile(path: string): Promise<ProbeFileOutcome> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { ok: false, error: `${path}: cannot read: ${(error as Error).message}` };
  }
  return parseProbeFile(text, path);
}

/** JSON paths are only strings to the schema; a malformed one is caught here, naming its field. */
function findBadJsonPath(probes: ReadonlyArray<Probe>): string | undefined {
  const checkPath = (path: string | undefined, at: Array<string | number>) => {
    if (path === undefined) return undefined;
    try {
      parsePath(path);
      return undefined;
    } catch (error) {
      return `${formatPath(at)}: ${(error as Error).message}`;
    }
  };
  for (const [i, probe] of probes.entries()) {
    const requests =
      probe.kind === "flow"
        ? probe.steps.map((step, s) => ({ step, at: ["probes", i, "steps", s] as Array<string | number> }))
        : [
            {
              step: { assertions: probe.assertions, capture: [] as Array<{ from: string; path?: string }> },
              at: ["probes", i] as Array<string | number>,
            },
          ];
    for (const { step, at } of requests) {
      for (const [a, assertion] of step.assertions.entries()) {
        const bad =
          "path" in assertion ? checkPath(assertion.path, [...at, "assertions", a, "path"]) : undefined;
        if (bad) return bad;
      }
      for (const [c, capture] of step.capture.entries()) {
        const bad =
          capture.from === "json" ? checkPath(capture.path, [...at, "capture", c, "path"]) : undefined;
        if (bad) return bad;
      }
    }
  }
  return undefined;
}
