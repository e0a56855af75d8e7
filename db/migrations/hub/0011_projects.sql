CREATE TABLE "hub"."project_members" (
	"user_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"role" "hub"."role" NOT NULL,
	CONSTRAINT "project_members_user_id_project_id_pk" PRIMARY KEY("user_id","project_id")
);
--> statement-breakpoint
CREATE TABLE "hub"."projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "hub"."agent_tokens" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."alert_events" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."fault_changes" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."probe_definitions" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."probe_results" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."runs" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."scraped_samples" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."window_minutes" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
ALTER TABLE "hub"."windows" ADD COLUMN "project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL;--> statement-breakpoint
-- Names are unique per project now: the old primary key on name alone goes.
ALTER TABLE "hub"."probe_definitions" DROP CONSTRAINT "probe_definitions_pkey";--> statement-breakpoint
ALTER TABLE "hub"."probe_definitions" ADD CONSTRAINT "probe_definitions_project_id_name_pk" PRIMARY KEY("project_id","name");--> statement-breakpoint
ALTER TABLE "hub"."project_members" ADD CONSTRAINT "project_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "hub"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub"."project_members" ADD CONSTRAINT "project_members_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "hub"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "project_members_project_id_index" ON "hub"."project_members" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "agent_tokens_project_id_index" ON "hub"."agent_tokens" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "alert_events_project_id_seq_index" ON "hub"."alert_events" USING btree ("project_id","seq");--> statement-breakpoint
CREATE INDEX "fault_changes_project_id_at_index" ON "hub"."fault_changes" USING btree ("project_id","at");--> statement-breakpoint
CREATE INDEX "probe_results_project_id_started_at_index" ON "hub"."probe_results" USING btree ("project_id","started_at");--> statement-breakpoint
CREATE INDEX "runs_project_id_started_at_index" ON "hub"."runs" USING btree ("project_id","started_at");--> statement-breakpoint
CREATE INDEX "scraped_samples_project_id_at_index" ON "hub"."scraped_samples" USING btree ("project_id","at");--> statement-breakpoint
CREATE INDEX "window_minutes_project_id_index" ON "hub"."window_minutes" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "windows_project_id_index" ON "hub"."windows" USING btree ("project_id");--> statement-breakpoint
-- Everything from before projects is the default project's (the column default above
-- backfilled every row); every existing user is its member with their instance role.
INSERT INTO "hub"."projects" ("id", "slug", "name") VALUES ('00000000-0000-0000-0000-000000000001', 'default', 'Default') ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "hub"."project_members" ("user_id", "project_id", "role") SELECT "id", '00000000-0000-0000-0000-000000000001', "role" FROM "hub"."users" ON CONFLICT DO NOTHING;
