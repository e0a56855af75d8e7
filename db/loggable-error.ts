import { DrizzleQueryError } from "drizzle-orm";

/** Characters of a failed statement's text, and of the database's message, that a log line keeps. */
const QUERY_SHOWN = 160;
const MESSAGE_SHOWN = 300;

const clip = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}…` : text);

/**
 * An error as a log line should show it: a failed statement's database error (message, SQLSTATE
 * code, constraint) and the start of its text, never its parameters. Drizzle's own message lists
 * every parameter, and so does PGlite's error object: megabytes of histograms for an ingest
 * statement, customers' addresses for the shop's. The database's message is clipped too, since
 * it may quote a value ("invalid input syntax for type integer: …"). Anything else passes
 * through unchanged.
 */
export function loggable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const cause = error instanceof DrizzleQueryError && error.cause instanceof Error ? error.cause : error;
  const query = error instanceof DrizzleQueryError ? error.query : (cause as { query?: unknown }).query;
  if (typeof query !== "string") return error;
  const { code, constraint } = cause as { code?: unknown; constraint?: unknown };
  const about = [
    typeof code === "string" ? `SQLSTATE ${code}` : undefined,
    typeof constraint === "string" ? `constraint ${constraint}` : undefined,
  ].filter(Boolean);
  const shown = new Error(
    `${clip(cause.message, MESSAGE_SHOWN)}${about.length > 0 ? ` (${about.join(", ")})` : ""} in: ${clip(
      query.replace(/\s+/g, " ").trim(),
      QUERY_SHOWN,
    )}`,
  );
  shown.name = cause.name;
  // The frames of where it was thrown, under the shortened message.
  const frames = (cause.stack ?? "").split("\n").filter((line) => line.startsWith("    at "));
  shown.stack = [`${shown.name}: ${shown.message}`, ...frames].join("\n");
  return shown;
}

/** loggable(error)'s message, for a log line of its own ("…: <message>"); any thrown value gives text. */
export function loggableMessage(error: unknown): string {
  const shown = loggable(error);
  return shown instanceof Error ? shown.message : String(shown);
}
