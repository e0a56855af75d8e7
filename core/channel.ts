import { z } from "zod";
import { LabelNameSchema, type Matcher, MatcherSchema } from "./matchers.ts";

/** Notification channel kinds; the dashboard (WebSocket) is always on and needs no channel. */
export const channelKinds = ["webhook", "alertmanager", "email"] as const;
export type ChannelKind = (typeof channelKinds)[number];

const channelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : - only");
const headers = z.record(z.string().min(1).max(200), z.string().max(4000));

/**
 * A channel as declared through the API or at start-up. Secrets (`headers`, SMTP credentials in
 * `smtpUrl`) are stored encrypted and never returned.
 */
export const ChannelInputSchema = z.discriminatedUnion("kind", [
  z.object({
    name: channelName,
    kind: z.literal("webhook"),
    url: z.url(),
    /** Sent with every request, e.g. an Authorization header. Secret. */
    headers: headers.default({}),
  }),
  z.object({
    name: channelName,
    kind: z.literal("alertmanager"),
    /** The Alertmanager base URL; alerts go to {url}/api/v2/alerts. */
    url: z.url(),
    headers: headers.default({}),
  }),
  z.object({
    name: channelName,
    kind: z.literal("email"),
    to: z.array(z.email()).min(1).max(50),
    /** smtp(s)://user:pass@host:port; absent uses SMTP_URL, or captures mail in embedded mode. Secret. */
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\//, "use smtp:// or smtps://")
      .optional(),
    from: z.string().max(200).optional(),
  }),
]);
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/** What the API shows of a channel: no secrets, only whether there are some. */
export interface ChannelView {
  id: string;
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
  hasSecret: boolean;
  source: "api" | "env" | "config";
  createdAt: number;
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

export const RouteSchema: z.ZodType<Route, unknown> = z.lazy(() =>
  z.object({
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
export const RoutingSchema = z.object({
  route: RouteSchema,
  inhibitRules: z.array(InhibitRuleSchema).max(100).default([]),
});
export type Routing = z.infer<typeof RoutingSchema>;

/** The whole start-up declaration (PEAKWATCH_ALERTING_CONFIG). */
export const AlertingFileSchema = z.object({
  channels: z.array(ChannelInputSchema).max(100).default([]),
  route: RouteSchema.optional(),
  inhibitRules: z.array(InhibitRuleSchema).max(100).optional(),
});
export type AlertingFile = z.infer<typeof AlertingFileSchema>;
