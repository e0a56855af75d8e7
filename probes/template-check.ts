import { formatPath } from "../core/http/validate.ts";
import type { Probe } from "../core/probe.ts";
import { referencedVariables } from "./template.ts";

type Path = Array<string | number>;

/** Every string inside a request body (given as a string or as JSON), with its path. */
function* strings(value: unknown, at: Path): Generator<[string, Path]> {
  if (typeof value === "string") yield [value, at];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...at, i]);
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...at, k]);
}

/**
 * Finds the first `{{name}}` that will not be defined when it is rendered: a flow may use its
 * `vars` (each may use the ones before it) and what earlier steps captured; an http probe only
 * generators and `env.…`. Returns `probes[1].steps[2].url: {{code}} is not defined here …`. Pure.
 */
export function findUndefinedVariable(probes: ReadonlyArray<Probe>): string | undefined {
  for (const [i, probe] of probes.entries()) {
    const known = new Set<string>();
    const check = (text: string, at: Path): string | undefined => {
      const missing = referencedVariables(text).find((name) => !known.has(name));
      if (missing === undefined) return undefined;
      const offer = known.size ? ` (defined: ${[...known].join(", ")})` : "";
      return `${formatPath(at)}: {{${missing}}} is not defined here${offer}`;
    };
    const requests =
      probe.kind === "flow"
        ? probe.steps.map((step, s) => ({ request: step, at: ["probes", i, "steps", s] as Path }))
        : probe.kind === "http"
          ? [{ request: { ...probe, capture: [] }, at: ["probes", i] as Path }]
          : [];
    if (probe.kind === "flow") {
      for (const [name, value] of Object.entries(probe.vars)) {
        const bad = check(value, ["probes", i, "vars", name]);
        if (bad) return bad;
        known.add(name);
      }
    }
    for (const { request, at } of requests) {
      const fields: Array<[string, Path]> = [
        [request.url, [...at, "url"]],
        ...Object.entries(request.headers).map(([h, v]): [string, Path] => [v, [...at, "headers", h]]),
        ...strings(request.body, [...at, "body"]),
      ];
      for (const [text, where] of fields) {
        const bad = check(text, where);
        if (bad) return bad;
      }
      for (const capture of request.capture) known.add(capture.name);
    }
  }
  return undefined;
}
