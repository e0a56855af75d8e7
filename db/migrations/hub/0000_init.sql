CREATE SCHEMA "hub";
--> statement-breakpoint
CREATE TYPE "hub"."role" AS ENUM('viewer', 'engineer', 'ops', 'admin');--> statement-breakpoint
CREATE TABLE "hub"."users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"role" "hub"."role" DEFAULT 'viewer' NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
