import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { MAX_STORABLE_MS } from "../core/instant.ts";
import { DataDirLocked, lockDataDir } from "../db/data-lock.ts";
import { openDb, pgliteDir } from "../db/open.ts";
import { sessions } from "../db/schema/hub.ts";
import { AuditLog } from "./audit/audit-log.ts";
import { type Role, roles } from "./auth/roles.ts";
import { Users, userChangeDetail, userView } from "./auth/users.ts";
import { loadHubConfig } from "./config.ts";

/** The shell account running this command, for the audit log. */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

const usage = `Usage:
  peakwatch users add EMAIL --role ROLE [--expires ISO-DATE]   create or update a hub user
  peakwatch users list                                          list hub users (expired ones say so)

Roles: ${roles.join(" < ")}. Uses the hub's database (HUB_DATABASE_URL / DATABASE_URL, or the
embedded one under PEAKWATCH_DATA_DIR). The embedded database belongs to one process at a time:
while a hub runs on it, this command refuses and says so; manage users in the dashboard's Users
view (admin) or through POST /api/v1/users instead. The user logs in with a code sent to EMAIL.
Changes are written to the audit log (GET /api/v1/audit) as made by "peakwatch users (<shell user>)".`;

/** What is wrong with `users add EMAIL --role ROLE`, naming the argument at fault; undefined when fine. */
export function addArgumentsError(email: string | undefined, role: string | undefined): string | undefined {
  if (!email) return "give the user's EMAIL";
  if (!email.includes("@")) return `"${email}" is not an email address`;
  if (!role) return `give --role ${roles.join("|")}`;
  if (!roles.includes(role as Role)) return `unknown role "${role}": use ${roles.join(", ")}`;
  return undefined;
}

/** What is wrong with `--expires VALUE` at `now`, naming the flag; undefined when fine. */
export function expiresError(value: string, now: number): string | undefined {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    return `--expires "${value}" is not a date (e.g. 2027-01-31 or 2027-01-31T18:00:00Z)`;
  if (ms > MAX_STORABLE_MS) return `--expires "${value}" is after the year 9999`;
  if (ms <= now)
    return `--expires ${new Date(ms).toISOString()} is in the past: the user could never log in (to end someone's access now, use the dashboard's Users view)`;
  return undefined;
}

/** `peakwatch users add|list`: manage hub users from the shell (e.g. before the first login). */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: "string" }, expires: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [action, email] = positionals;
  if (values.help || !action) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (action !== "add" && action !== "list") {
    console.error(`peakwatch users: unknown action "${action}"\n\n${usage}`);
    return 2;
  }
  let role: Role | undefined;
  let expiresAt: Date | null = null;
  if (action === "add") {
    role = values.role as Role | undefined;
    const wrong = addArgumentsError(email, values.role);
    if (wrong) {
      console.error(`peakwatch users add: ${wrong}\n\n${usage}`);
      return 2;
    }
    if (values.expires !== undefined) {
      const wrongExpiry = expiresError(values.expires, Date.now());
      if (wrongExpiry) {
        console.error(`peakwatch users add: ${wrongExpiry}`);
        return 2;
      }
      expiresAt = new Date(values.expires);
    }
  }
  const config = loadHubConfig();
  const dataDir = pgliteDir(config.PEAKWATCH_DATA_DIR, "hub");
  let lock: { release(): void } | undefined;
  if (!config.databaseUrl) {
    // A second process on PGlite's files writes beside the hub, which never sees the change
    // (an "expired" user keeps working) and may corrupt the database.
    try {
      lock = lockDataDir(dataDir, { owner: "peakwatch users" });
    } catch (error) {
      if (!(error instanceof DataDirLocked)) throw error;
      const where = error.holder.url ? ` at ${error.holder.url}` : "";
      console.error(
        `peakwatch users: refused: ${error.message}, and a change made beside it would not reach it. ` +
          `Manage users in the dashboard's Users view${where} (admin role) or with POST /api/v1/users, ` +
          "or stop the stack and run this again.",
      );
      return 1;
    }
  }
  const database = await openDb({ domains: ["hub", "alerting"], url: config.databaseUrl, dataDir }).catch(
    (error) => {
      lock?.release();
      throw error;
    },
  );
  try {
    const users = new Users(database.db);
    const now = Date.now();
    if (action === "list") {
      for (const u of (await users.list()).map((row) => userView(row, now))) {
        const expiry = u.expiresAt ? `\t${u.expired ? "expired" : "expires"} ${u.expiresAt}` : "";
        console.log(`${u.email}\t${u.role}${expiry}`);
      }
      return 0;
    }
    const before = await users.byEmail(email!);
    const user = await users.upsert({ email: email!, role: role!, expiresAt });
    // Audited as the API's changes are, naming the shell account that made it.
    const audit = new AuditLog(database.db, Date.now);
    const actor = `peakwatch users (${osUser()})`;
    const was = before ? userView(before, now) : undefined;
    const view = userView(user, now);
    const changed = was ? userChangeDetail(was, view) : {};
    if (!was) {
      await audit.record({
        actor,
        action: "user.created",
        target: view.email,
        detail: { role: view.role, expiresAt: view.expiresAt },
      });
    } else if (Object.keys(changed).length > 0) {
      await audit.record({ actor, action: "user.changed", target: view.email, detail: changed });
      // As through the API: the user logs in again under the new terms.
      await database.db.delete(sessions).where(eq(sessions.userId, user.id));
    }
    console.log(`user ${user.email} is ${user.role}${expiresAt ? ` until ${expiresAt.toISOString()}` : ""}`);
    return 0;
  } finally {
    await database.close();
    lock?.release();
  }
}
