CREATE TABLE "hub"."probe_definitions" (
	"name" text PRIMARY KEY NOT NULL,
	"definition" jsonb NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
