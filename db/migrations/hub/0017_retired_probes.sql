CREATE TABLE "hub"."retired_probes" (
	"project_id" uuid DEFAULT '00000000-0000-0000-0000-000000000001' NOT NULL,
	"name" text NOT NULL,
	"retired_at" bigint NOT NULL,
	CONSTRAINT "retired_probes_project_id_name_pk" PRIMARY KEY("project_id","name")
);
