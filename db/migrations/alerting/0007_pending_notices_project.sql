-- Pending notices carry their group's project, as every row of a team does. A notice decided
-- before this takes its group's project from the notification log; without one it stays the
-- default project's.
ALTER TABLE "alerting"."pending_notices" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
CREATE INDEX "pending_notices_project_id_index" ON "alerting"."pending_notices" USING btree ("project_id");--> statement-breakpoint
UPDATE "alerting"."pending_notices" AS "p" SET "project_id" = "n"."project_id" FROM "alerting"."notification_log" AS "n" WHERE "n"."group_key" = "p"."group_key";
