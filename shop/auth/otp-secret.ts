import { hkdfSync } from "node:crypto";

/** The OTP HMAC secret, derived from the master key (HKDF-SHA-256) so there is no second secret to manage. */
export function deriveOtpSecret(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "peakwatch shop otp hmac", 32));
}
