import { AppError } from "./app-error.ts";

/**
 * Throws 415 unless `contentType` is JSON (`application/json` or `…+json`). A browser can send
 * text/plain, form and multipart bodies cross-site without asking; JSON needs a CORS preflight,
 * so insisting on it closes login CSRF on routes no cookie protects.
 */
export function requireJsonContentType(contentType: string | undefined): void {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  throw new AppError(
    "unsupported_media_type",
    `content-type: must be application/json (got ${type === "" ? "none" : type})`,
  );
}
