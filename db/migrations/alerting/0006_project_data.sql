-- One routing document per project: the old single row (id 1) is the default project's. Dropping
-- the id column drops its primary key first, so project_id can become the key.
ALTER TABLE "alerting"."routing" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "alerting"."routing" ADD PRIMARY KEY ("project_id");--> statement-breakpoint
-- Captured mail is shown to its channel's project only; what was captured before is the default project's.
ALTER TABLE "alerting"."captured_emails" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
CREATE INDEX "acknowledgements_project_id_at_index" ON "alerting"."acknowledgements" USING btree ("project_id","at");--> statement-breakpoint
CREATE INDEX "captured_emails_project_id_at_index" ON "alerting"."captured_emails" USING btree ("project_id","at");
