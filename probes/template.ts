/**
 * `{{...}}` templates in flow steps and probe requests:
 * - `{{name}}`: a flow variable or a value captured by an earlier step;
 * - `{{env.NAME}}`: an environment variable of the probes process (probe files are trusted config);
 * - `{{randomInt 1 2000}}`, `{{uuid}}`, `{{syntheticIp}}` (an address in 198.18.0.0/15, the
 *   RFC 2544 benchmarking range, so a shop that rate-limits per address sees distinct visitors).
 * An unknown name is an error, never an empty string, so a typo fails the check loudly.
 */

export interface TemplateContext {
  vars: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

const randomInt = (random: () => number, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

/** A random address in 198.18.0.0/15. */
export function syntheticIp(random: () => number): string {
  return `198.${18 + randomInt(random, 0, 1)}.${randomInt(random, 0, 255)}.${randomInt(random, 1, 254)}`;
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => randomInt(random, 0, 15).toString(16));
  hex[12] = "4";
  hex[16] = ((randomInt(random, 0, 15) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function resolve(expression: string, context: TemplateContext): string {
  const [head = "", ...args] = expression.trim().split(/\s+/);
  if (head === "randomInt") {
    const [min, max] = args.map(Number);
    if (args.length !== 2 || !Number.isInteger(min) || !Number.isInteger(max) || min! > max!)
      throw new Error(`{{${expression}}}: use {{randomInt MIN MAX}} with integers`);
    return String(randomInt(context.random, min!, max!));
  }
  if (head === "uuid") return uuid(context.random);
  if (head === "syntheticIp") return syntheticIp(context.random);
  if (head.startsWith("env.")) {
    const value = context.env[head.slice(4)];
    if (value === undefined)
      throw new Error(`{{${expression}}}: environment variable ${head.slice(4)} is not set`);
    return value;
  }
  const value = context.vars[head];
  if (value === undefined || args.length > 0)
    throw new Error(`{{${expression}}}: unknown variable "${head}"`);
  return value;
}

/** Renders every `{{...}}` in `text`. Throws naming the expression when one cannot be resolved. */
export function render(text: string, context: TemplateContext): string {
  return text.replace(/\{\{([^{}]+)\}\}/g, (_, expression: string) => resolve(expression, context));
}

/** Renders the strings inside a JSON-like value (request bodies given as objects). */
export function renderDeep(value: unknown, context: TemplateContext): unknown {
  if (typeof value === "string") return render(value, context);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, context));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, context)]));
  return value;
}

const generators = new Set(["randomInt", "uuid", "syntheticIp"]);

/**
 * The variables `text` refers to (generators and `env.…` left out), for checking a probe file
 * before it runs. Pure.
 */
export function referencedVariables(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\{\{([^{}]+)\}\}/g)) {
    const head = match[1]!.trim().split(/\s+/)[0] ?? "";
    if (!generators.has(head) && !head.startsWith("env.")) names.push(head);
  }
  return names;
}
