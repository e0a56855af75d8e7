CREATE TABLE "hub"."window_merges" (
	"project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL,
	"run_id" text NOT NULL,
	"step" text NOT NULL,
	"span" integer NOT NULL,
	"start" bigint NOT NULL,
	"rows" integer NOT NULL,
	"count" bigint NOT NULL,
	"latency" text NOT NULL,
	"failed_latency" text,
	"causes" jsonb NOT NULL,
	CONSTRAINT "window_merges_run_id_step_span_start_pk" PRIMARY KEY("run_id","step","span","start")
);
--> statement-breakpoint
CREATE INDEX "window_merges_project_id_index" ON "hub"."window_merges" USING btree ("project_id");