CREATE TABLE "hub"."fault_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"fault" text NOT NULL,
	"action" text NOT NULL,
	"by" text NOT NULL,
	"detail" text
);
--> statement-breakpoint
CREATE INDEX "fault_changes_at_index" ON "hub"."fault_changes" USING btree ("at");