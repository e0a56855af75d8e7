/**
 * The stack file `peakwatch up` writes to `<data dir>/stack.json` (mode 0600): where the running
 * hub, shop and probes listen and the tokens they share, like a kubeconfig. Every other CLI
 * command fills in from it what flags and environment leave unset (flag > env > stack > default).
 */
import { z } from "zod";

export const STACK_FILE = "stack.json";

export const StackFileSchema = z.object({
  version: z.literal(1),
  /** The `peakwatch up` process; a file whose pid is gone is stale and ignored. */
  pid: z.number().int().positive(),
  startedAt: z.iso.datetime(),
  /** When hub, shop and probes first all answered; absent while the stack is still starting. */
  readyAt: z.iso.datetime().optional(),
  hub: z.object({ url: z.url() }),
  shop: z.object({ url: z.url() }),
  probes: z.object({ url: z.url() }),
  tokens: z.object({
    agent: z.string().min(1),
    shopAdmin: z.string().min(1),
    shopTestHooks: z.string().min(1),
  }),
});
export type StackFile = z.infer<typeof StackFileSchema>;

/** The same origin (scheme, host, port) after URL normalisation; false for anything unparsable. */
export function sameOrigin(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * The environment variables a command should take from the stack: only those `env` does not
 * set at all (an empty value is a deliberate "none"). A token travels only with its own
 * server: when `env` points the shop or the hub elsewhere, that server's tokens stay behind.
 */
export function stackEnv(stack: StackFile, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const fill = (name: string, value: string) => {
    if (env[name] === undefined) out[name] = value;
  };
  fill("PEAKWATCH_HUB_URL", stack.hub.url);
  fill("PEAKWATCH_SHOP_URL", stack.shop.url);
  const hubUrl = env.PEAKWATCH_HUB_URL ?? stack.hub.url;
  const shopUrl = env.PEAKWATCH_SHOP_URL ?? stack.shop.url;
  if (sameOrigin(hubUrl, stack.hub.url)) fill("PEAKWATCH_AGENT_TOKEN", stack.tokens.agent);
  if (sameOrigin(shopUrl, stack.shop.url)) {
    fill("SHOP_ADMIN_TOKEN", stack.tokens.shopAdmin);
    fill("SHOP_TEST_HOOKS_TOKEN", stack.tokens.shopTestHooks);
  }
  return out;
}
