CREATE SCHEMA "planning";
--> statement-breakpoint
CREATE TABLE "planning"."capacity_measurements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"target" text NOT NULL,
	"measured_at" bigint NOT NULL,
	"measurement" jsonb NOT NULL,
	"reported_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "capacity_measurements_target_measured_at_index" ON "planning"."capacity_measurements" USING btree ("target","measured_at");