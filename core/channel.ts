import { z } from "zod";
import { LabelNameSchema, type Matcher, MatcherSchema } from "./matchers.ts";

/** Notification channel kinds; the dashboard (WebSocket) is always on and needs no channel. */
export const channelKinds = ["webhook", "alertmanager", "email", "slack", "pagerduty"] as const;
export type ChannelKind = (typeof channelKinds)[number];

const channelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : - only");
const headers = z.record(z.string().min(1).max(200), z.string().max(4000));

/**
 * An http(s) URL without user:password: credentials in a URL end up in logs and error messages,
 * so they go in `headers` (stored encrypted) instead. The whole URL is stored encrypted too,
 * since webhook URLs (Slack's among them) often are the secret.
 */
export const ChannelUrlSchema = z
  .url()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), { message: "use an http:// or https:// URL" })
  .refine(
    (u) => {
      try {
        const parsed = new URL(u);
        return parsed.username === "" && parsed.password === "";
      } catch {
        return false;
      }
    },
    { message: "credentials in the URL are not allowed; send them as a header (e.g. Authorization)" },
  );

/** PagerDuty's Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

const enabled = z.boolean().default(true);

/**
 * A channel as declared through the API or at start-up. Secrets (the URL, `headers`, SMTP
 * credentials in `smtpUrl`, PagerDuty's routing key) are stored encrypted and never returned.
 */
export const ChannelInputSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    name: channelName,
    kind: z.literal("webhook"),
    enabled,
    url: ChannelUrlSchema,
    /** Sent with every request, e.g. an Authorization header. Secret. */
    headers: headers.default({}),
  }),
  z.strictObject({
    name: channelName,
    kind: z.literal("alertmanager"),
    enabled,
    /** The Alertmanager base URL; alerts go to {url}/api/v2/alerts. */
    url: ChannelUrlSchema,
    headers: headers.default({}),
  }),
  z.strictObject({
    name: channelName,
    kind: z.literal("email"),
    enabled,
    to: z.array(z.email()).min(1).max(50),
    /** smtp(s)://user:pass@host:port; absent uses SMTP_URL, or captures mail in embedded mode. Secret. */
    smtpUrl: z
      .string()
      .max(2000)
      .regex(/^smtps?:\/\//, "use smtp:// or smtps://")
      .optional(),
    from: z.string().max(200).optional(),
  }),
  z.strictObject({
    name: channelName,
    kind: z.literal("slack"),
    enabled,
    /** A Slack incoming-webhook URL (https://hooks.slack.com/services/…). Secret. */
    url: ChannelUrlSchema,
    /** Overrides the webhook's default channel, e.g. "#ops". */
    channel: z.string().max(100).optional(),
  }),
  z.strictObject({
    name: channelName,
    kind: z.literal("pagerduty"),
    enabled,
    /** The integration's routing key (32 characters). Secret. */
    routingKey: z.string().min(1).max(100),
    /** Events API v2 endpoint; the default is PagerDuty's. */
    url: ChannelUrlSchema.default(PAGERDUTY_EVENTS_URL),
  }),
]);
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/** The fields of each kind that are secret: stored encrypted, never shown after saving. */
export const secretFields: { [K in ChannelKind]: ReadonlyArray<string> } = {
  webhook: ["url", "headers"],
  alertmanager: ["url", "headers"],
  email: ["smtpUrl"],
  slack: ["url"],
  pagerduty: ["routingKey", "url"],
};

/** What the API shows of a channel: no secrets, only whether there are some. */
export interface ChannelView {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  /** The non-secret settings, plus `urlHost` (scheme and host of a secret URL) to tell channels apart. */
  settings: Record<string, unknown>;
  hasSecret: boolean;
  source: "api" | "env" | "config";
  createdAt: number;
}

/** The outcome of "Send test": what the receiver answered. */
export interface ChannelTestResult {
  ok: boolean;
  /** Redacted: no URL query, path or credentials. */
  error: string | null;
  durationMs: number;
}

/** A node of the routing tree (Alertmanager's `route`); unset timings are inherited from the parent. */
export interface Route {
  /** The channel this node delivers to; absent: it only routes to its children. */
  channel?: string | undefined;
  matchers: Matcher[];
  /** Labels that split alerts into notification groups; ["..."] groups by every label. */
  groupBy?: string[] | undefined;
  groupWaitSeconds?: number | undefined;
  groupIntervalSeconds?: number | undefined;
  repeatIntervalSeconds?: number | undefined;
  /** Keep looking at later siblings after this node matched. */
  continue: boolean;
  routes: Route[];
}

const timing = z
  .number()
  .nonnegative()
  .max(7 * 24 * 3600)
  .optional();

// Strict: a key we do not know (Alertmanager's `receiver` for `channel`, a typo) is refused by
// name instead of being dropped, which would save a tree that routes nowhere.
export const RouteSchema: z.ZodType<Route, unknown> = z.lazy(() =>
  z.strictObject({
    channel: channelName.optional(),
    matchers: z.array(MatcherSchema).max(20).default([]),
    groupBy: z
      .array(z.union([LabelNameSchema, z.literal("...")]))
      .max(20)
      .optional(),
    groupWaitSeconds: timing,
    groupIntervalSeconds: timing,
    repeatIntervalSeconds: timing,
    continue: z.boolean().default(false),
    routes: z.array(RouteSchema).max(100).default([]),
  }),
);

/** Mutes target alerts while a source alert fires with the same values of `equal` (Alertmanager inhibit_rules). */
export const InhibitRuleSchema = z.object({
  sourceMatchers: z.array(MatcherSchema).min(1).max(20),
  targetMatchers: z.array(MatcherSchema).min(1).max(20),
  equal: z.array(LabelNameSchema).max(20).default([]),
});
export type InhibitRule = z.infer<typeof InhibitRuleSchema>;

/** The routing document: PUT /routes, or `route` + `inhibitRules` of PEAKWATCH_ALERTING_CONFIG. */
export const RoutingSchema = z.strictObject({
  route: RouteSchema,
  inhibitRules: z.array(InhibitRuleSchema).max(100).default([]),
});
export type Routing = z.infer<typeof RoutingSchema>;

/** PUT /routes: the document, and the `source` GET /routes answered with (ignored), so a GET can be PUT back. */
export const RoutingBodySchema = RoutingSchema.extend({ source: z.string().max(20).optional() });

/** Every channel a routing tree names, with where (`route.routes[0].channel`), in tree order. */
export function routeChannels(route: Route, path = "route"): Array<{ channel: string; path: string }> {
  const own = route.channel === undefined ? [] : [{ channel: route.channel, path: `${path}.channel` }];
  return [...own, ...route.routes.flatMap((child, i) => routeChannels(child, `${path}.routes[${i}]`))];
}

/** The whole start-up declaration (PEAKWATCH_ALERTING_CONFIG). */
export const AlertingFileSchema = z.object({
  channels: z.array(ChannelInputSchema).max(100).default([]),
  route: RouteSchema.optional(),
  inhibitRules: z.array(InhibitRuleSchema).max(100).optional(),
});
export type AlertingFile = z.infer<typeof AlertingFileSchema>;
