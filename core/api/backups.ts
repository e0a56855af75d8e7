import { z } from "zod";

/** One archive in the hub's backup directory. */
export const BackupEntrySchema = z.object({
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
});
export type BackupEntryView = z.infer<typeof BackupEntrySchema>;

/** GET /api/v1/backups: the schedule, the latest outcome and the archives kept (newest first). */
export const BackupListSchema = z.object({
  /** Hours between scheduled backups; 0 when only "back up now" makes them. */
  intervalHours: z.number().nonnegative(),
  keep: z.number().int().positive(),
  driver: z.enum(["pglite", "postgres"]),
  status: z.object({
    lastSuccessAt: z.iso.datetime().nullable(),
    lastSuccessBytes: z.number().int().nonnegative().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.iso.datetime().nullable(),
    running: z.boolean(),
  }),
  backups: z.array(BackupEntrySchema),
});
export type BackupList = z.infer<typeof BackupListSchema>;
