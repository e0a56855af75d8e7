import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { domainNames, domains } from "../../db/domains.ts";
import { BackupError } from "./archive-file.ts";

/**
 * pg_dump / pg_restore as child processes. The password travels in PGPASSWORD, never in argv
 * (argv is visible to every local user in `ps`). Messages never contain the password.
 */
export function connectionArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { args: [`--dbname=${parsed.toString()}`], env };
}

/** Runs a Postgres client tool to completion; throws BackupError with its stderr when it fails. */
export function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      if (out.length < 1_000_000) out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (err.length < 8_000) err += chunk.toString();
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          error.code === "ENOENT"
            ? `${tool} is not installed: Postgres backups need the Postgres client tools (apt-get install -y postgresql-client)`
            : `${tool}: ${error.message}`,
        ),
      ),
    );
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new BackupError(`${tool} failed (exit ${code}): ${err.trim()}`)),
    );
  });
}

/** pg_dump of the given schemas in custom format, as a stream; the stream errors if pg_dump fails. */
export function pgDumpStream(url: string, schemas: string[], migrationTables: string[]): Readable {
  const { args, env } = connectionArgs(url);
  const schemaArgs = schemas.flatMap((schema) => ["--schema", schema]);
  // drizzle keeps every domain's migration table in one schema: take only ours.
  const child = spawn(
    "pg_dump",
    [
      ...args,
      "--format=custom",
      "--no-owner",
      "--no-privileges",
      ...schemaArgs,
      "--schema",
      "drizzle",
      ...excludeOthers(migrationTables),
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (err.length < 8_000) err += chunk.toString();
  });
  const out = child.stdout;
  child.on("error", (error: NodeJS.ErrnoException) =>
    out.destroy(
      new BackupError(
        error.code === "ENOENT"
          ? "pg_dump is not installed: Postgres backups need the Postgres client tools (apt-get install -y postgresql-client)"
          : `pg_dump: ${error.message}`,
      ),
    ),
  );
  child.on("close", (code) => {
    if (code !== 0) out.destroy(new BackupError(`pg_dump failed (exit ${code}): ${err.trim()}`));
  });
  return out;
}

/** Every other domain's drizzle migration table is left out of a dump. */
function excludeOthers(keep: string[]): string[] {
  return domainNames
    .map((name) => domains[name].migrationsTable)
    .filter((table) => !keep.includes(table))
    .flatMap((table) => ["--exclude-table", `drizzle.${table}`]);
}
