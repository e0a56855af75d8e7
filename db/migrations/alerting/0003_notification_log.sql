CREATE TABLE "alerting"."acknowledgements" (
	"fingerprint" text NOT NULL,
	"active_at" bigint NOT NULL,
	"by" text NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "acknowledgements_fingerprint_active_at_pk" PRIMARY KEY("fingerprint","active_at")
);
--> statement-breakpoint
CREATE TABLE "alerting"."notification_log" (
	"group_key" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"route" jsonb NOT NULL,
	"labels" jsonb NOT NULL,
	"started_at" bigint,
	"last_flush_at" bigint,
	"sent_firing" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerting"."channels" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;