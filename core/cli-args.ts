/**
 * A `node:util` parseArgs error in a command's words, without Node's advice about `--`:
 * `unknown option "--bogus"`, `--out needs a value`, `--shop takes no value`, a negative value
 * read as an option explained,
 * `unexpected argument "a"`. Any other error keeps its message. Never throws.
 */
export function argsErrorMessage(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  // Node quotes the option as it was declared: '-o, --out <value>' or '--shop' or '-x'.
  const quoted = /'([^']+)'/.exec(text)?.[1] ?? "";
  const flag = quoted.split(/[ ,]+/).find((p) => p.startsWith("--")) ?? quoted.split(" ")[0] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option "${flag}"`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument "${quoted}"`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (text.includes("argument missing")) return `${flag} needs a value`;
      // `--rate-scale -1`: a value starting with a dash reads as another option.
      if (text.includes("ambiguous"))
        return `${flag} needs a value; a value starting with "-" is written ${flag}=-…`;
      return `${flag} takes no value`;
    default:
      return text;
  }
}

/** Whether an error comes from `node:util` parseArgs (a usage error, not a crash). */
export function isArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
