CREATE TABLE "hub"."scrape_targets" (
	"project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL,
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"url" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scrape_targets_projectId_url_unique" UNIQUE("project_id","url")
);
--> statement-breakpoint
ALTER TABLE "hub"."scraped_samples" DROP CONSTRAINT "scraped_samples_target_series_at_pk";--> statement-breakpoint
ALTER TABLE "hub"."scraped_samples" ADD CONSTRAINT "scraped_samples_project_id_target_series_at_pk" PRIMARY KEY("project_id","target","series","at");