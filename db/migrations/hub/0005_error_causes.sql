ALTER TABLE "hub"."window_minutes" ADD COLUMN "causes" jsonb;--> statement-breakpoint
ALTER TABLE "hub"."window_minutes" ADD COLUMN "failed_latency" text;--> statement-breakpoint
ALTER TABLE "hub"."windows" ADD COLUMN "causes" jsonb;--> statement-breakpoint
ALTER TABLE "hub"."windows" ADD COLUMN "failed_latency" text;