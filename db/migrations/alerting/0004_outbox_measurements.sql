CREATE TABLE "alerting"."pending_notices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"group_key" text NOT NULL,
	"kind" text NOT NULL,
	"summary" text NOT NULL,
	"notification" jsonb NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerting"."rule_measurements" (
	"rule" text PRIMARY KEY NOT NULL,
	"values" jsonb NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pending_notices_created_at_index" ON "alerting"."pending_notices" USING btree ("created_at");