CREATE TABLE "hub"."agent_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "agent_tokens_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "hub"."alert_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"fingerprint" text NOT NULL,
	"alert" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub"."probe_results" (
	"id" uuid PRIMARY KEY NOT NULL,
	"probe" text NOT NULL,
	"kind" text NOT NULL,
	"region" text NOT NULL,
	"target" text NOT NULL,
	"started_at" bigint NOT NULL,
	"ok" boolean NOT NULL,
	"state" text NOT NULL,
	"status" integer,
	"message" text,
	"total_ms" double precision NOT NULL,
	"phases" jsonb NOT NULL,
	"steps" jsonb
);
--> statement-breakpoint
CREATE TABLE "hub"."runs" (
	"run_id" text PRIMARY KEY NOT NULL,
	"profile" text NOT NULL,
	"target" text NOT NULL,
	"status" text NOT NULL,
	"started_at" bigint NOT NULL,
	"ended_at" bigint,
	"planned_seconds" double precision,
	"workers" integer DEFAULT 1 NOT NULL,
	"thresholds" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"faults" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"verdict" text,
	"started_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub"."window_minutes" (
	"run_id" text NOT NULL,
	"step" text NOT NULL,
	"minute" bigint NOT NULL,
	"seconds" integer NOT NULL,
	"count" integer NOT NULL,
	"err_connect" integer NOT NULL,
	"err_timeout" integer NOT NULL,
	"err_http4xx" integer NOT NULL,
	"err_http5xx" integer NOT NULL,
	"err_assertion" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"target_rate_sum" double precision NOT NULL,
	"achieved_rate_sum" double precision NOT NULL,
	"dropped" integer NOT NULL,
	"latency" text NOT NULL,
	CONSTRAINT "window_minutes_run_id_step_minute_pk" PRIMARY KEY("run_id","step","minute")
);
--> statement-breakpoint
CREATE TABLE "hub"."windows" (
	"run_id" text NOT NULL,
	"step" text NOT NULL,
	"worker" text NOT NULL,
	"second" bigint NOT NULL,
	"count" integer NOT NULL,
	"err_connect" integer NOT NULL,
	"err_timeout" integer NOT NULL,
	"err_http4xx" integer NOT NULL,
	"err_http5xx" integer NOT NULL,
	"err_assertion" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"target_rate" double precision NOT NULL,
	"achieved_rate" double precision NOT NULL,
	"dropped" integer NOT NULL,
	"latency" text NOT NULL,
	"service" text,
	CONSTRAINT "windows_run_id_step_worker_second_pk" PRIMARY KEY("run_id","step","worker","second")
);
--> statement-breakpoint
CREATE INDEX "alert_events_at_index" ON "hub"."alert_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "probe_results_probe_started_at_index" ON "hub"."probe_results" USING btree ("probe","started_at");--> statement-breakpoint
CREATE INDEX "probe_results_started_at_index" ON "hub"."probe_results" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "runs_started_at_index" ON "hub"."runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "windows_second_index" ON "hub"."windows" USING btree ("second");