CREATE TABLE "hub"."scraped_samples" (
	"target" text NOT NULL,
	"series" text NOT NULL,
	"at" bigint NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "scraped_samples_target_series_at_pk" PRIMARY KEY("target","series","at")
);
--> statement-breakpoint
CREATE INDEX "scraped_samples_at_index" ON "hub"."scraped_samples" USING btree ("at");