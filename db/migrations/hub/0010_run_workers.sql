CREATE TABLE "hub"."run_workers" (
	"run_id" text NOT NULL,
	"worker" text NOT NULL,
	"index" integer NOT NULL,
	"host" text,
	"pid" integer,
	"state" text NOT NULL,
	"last_seen_at" bigint,
	"last_second" bigint,
	"exit_code" integer,
	"lost_reason" text,
	CONSTRAINT "run_workers_run_id_worker_pk" PRIMARY KEY("run_id","worker")
);
--> statement-breakpoint
ALTER TABLE "hub"."runs" ADD COLUMN "placement" text;--> statement-breakpoint
ALTER TABLE "hub"."runs" ADD COLUMN "start_at" bigint;--> statement-breakpoint
ALTER TABLE "hub"."runs" ADD COLUMN "supervisor_key" integer;--> statement-breakpoint
ALTER TABLE "hub"."runs" ADD COLUMN "stop_request" text;