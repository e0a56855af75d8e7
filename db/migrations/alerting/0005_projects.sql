ALTER TABLE "alerting"."channels" DROP CONSTRAINT "channels_name_unique";--> statement-breakpoint
ALTER TABLE "alerting"."rules" DROP CONSTRAINT "rules_name_unique";--> statement-breakpoint
ALTER TABLE "alerting"."acknowledgements" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."alert_history" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."alerts" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."channels" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."deliveries" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."notification_log" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."routing" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."rules" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerting"."silences" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
CREATE INDEX "alert_history_project_id_at_index" ON "alerting"."alert_history" USING btree ("project_id","at");--> statement-breakpoint
CREATE INDEX "alerts_project_id_index" ON "alerting"."alerts" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "deliveries_project_id_index" ON "alerting"."deliveries" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "silences_project_id_index" ON "alerting"."silences" USING btree ("project_id");--> statement-breakpoint
ALTER TABLE "alerting"."channels" ADD CONSTRAINT "channels_projectId_name_unique" UNIQUE("project_id","name");--> statement-breakpoint
ALTER TABLE "alerting"."rules" ADD CONSTRAINT "rules_projectId_name_unique" UNIQUE("project_id","name");