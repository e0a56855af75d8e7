import { randomBytes } from "node:crypto";

/** Secrets the children share. Each is generated fresh unless the environment already sets it. */
export const sharedSecretNames = [
  "SHOP_ADMIN_TOKEN",
  "SHOP_TEST_HOOKS_TOKEN",
  "PEAKWATCH_AGENT_TOKEN",
] as const;

/** Returns the shared secrets, taking set values from `env` and generating the rest (192 random bits each). */
export function sharedSecrets(env: NodeJS.ProcessEnv): Record<(typeof sharedSecretNames)[number], string> {
  const out = {} as Record<(typeof sharedSecretNames)[number], string>;
  for (const name of sharedSecretNames) out[name] = env[name] || randomBytes(24).toString("base64url");
  return out;
}
