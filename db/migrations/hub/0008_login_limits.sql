CREATE TABLE "hub"."login_limits" (
	"limit_name" text NOT NULL,
	"key_hash" text NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "login_limits_limit_name_key_hash_pk" PRIMARY KEY("limit_name","key_hash")
);
--> statement-breakpoint
CREATE INDEX "login_limits_window_started_at_index" ON "hub"."login_limits" USING btree ("window_started_at");