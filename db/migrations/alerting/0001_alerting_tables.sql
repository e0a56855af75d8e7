CREATE TABLE "alerting"."alert_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"fingerprint" text NOT NULL,
	"rule" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"at" bigint NOT NULL,
	"labels" jsonb NOT NULL,
	"value" double precision,
	"fired_at" bigint,
	"actor" text
);
--> statement-breakpoint
CREATE TABLE "alerting"."alerts" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"rule_id" uuid NOT NULL,
	"state" text NOT NULL,
	"alert" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerting"."captured_emails" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerting"."channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"settings" jsonb NOT NULL,
	"secret" text,
	"source" text DEFAULT 'api' NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "channels_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "alerting"."deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"channel_kind" text NOT NULL,
	"group_key" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"summary" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerting"."routing" (
	"id" integer PRIMARY KEY NOT NULL,
	"tree" jsonb NOT NULL,
	"source" text DEFAULT 'api' NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerting"."rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"updated_by" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "rules_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "alerting"."silences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"matchers" jsonb NOT NULL,
	"starts_at" bigint NOT NULL,
	"ends_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"comment" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_history_at_index" ON "alerting"."alert_history" USING btree ("at");--> statement-breakpoint
CREATE INDEX "alert_history_fingerprint_at_index" ON "alerting"."alert_history" USING btree ("fingerprint","at");--> statement-breakpoint
CREATE INDEX "alerts_rule_id_index" ON "alerting"."alerts" USING btree ("rule_id");--> statement-breakpoint
CREATE INDEX "captured_emails_at_index" ON "alerting"."captured_emails" USING btree ("at");--> statement-breakpoint
CREATE INDEX "deliveries_created_at_index" ON "alerting"."deliveries" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "silences_ends_at_index" ON "alerting"."silences" USING btree ("ends_at");