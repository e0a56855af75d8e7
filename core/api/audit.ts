import { z } from "zod";

/** One audit entry as GET /api/v1/audit returns it. */
export const AuditEntrySchema = z.object({
  id: z.number().int().positive(),
  at: z.iso.datetime(),
  /** An email, an agent name, or "hub" for the hub's own refusals. */
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntryView = z.infer<typeof AuditEntrySchema>;

/** GET /api/v1/audit: newest first; pass `next` as `before` for the following page (null at the end). */
export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema),
  next: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof AuditPageSchema>;

/** The largest page GET /api/v1/audit serves. */
export const MAX_AUDIT_PAGE = 500;

/** An agent token as GET /api/v1/agent-tokens lists it; `expired` is judged by the hub's clock. */
export const AgentTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  expired: z.boolean(),
});
export type AgentTokenView = z.infer<typeof AgentTokenSchema>;
