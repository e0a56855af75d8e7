import { createHash, randomBytes } from "node:crypto";

/** Session tokens carry 128 bits from the CSPRNG (OWASP's floor is 64 bits of entropy). */
export const SESSION_TOKEN_BYTES = 16;

/** A fresh random session token, base64url (22 characters). */
export function newSessionToken(): string {
  return randomBytes(SESSION_TOKEN_BYTES).toString("base64url");
}

/**
 * The form a token is stored in: SHA-256, so a leaked sessions table holds no usable
 * cookies. Unkeyed is fine here because a 128-bit random token cannot be guessed.
 */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
