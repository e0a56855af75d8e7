import { parseArgs } from "node:util";
import { openDb, pgliteDir } from "../db/open.ts";
import { type Role, roles } from "./auth/roles.ts";
import { Users, userView } from "./auth/users.ts";
import { loadHubConfig } from "./config.ts";

const usage = `Usage:
  peakwatch users add EMAIL --role ROLE [--expires ISO-DATE]   create or update a hub user
  peakwatch users list                                          list hub users

Roles: ${roles.join(" < ")}. Uses the hub's database (HUB_DATABASE_URL / DATABASE_URL, or the
embedded one under PEAKWATCH_DATA_DIR). The user logs in with a code sent to EMAIL.`;

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
    if (!email?.includes("@") || !role || !roles.includes(role)) {
      console.error(`peakwatch users add: give an EMAIL and --role ${roles.join("|")}\n\n${usage}`);
      return 2;
    }
    if (values.expires) {
      expiresAt = new Date(values.expires);
      if (Number.isNaN(expiresAt.getTime())) {
        console.error(`peakwatch users add: --expires "${values.expires}" is not a date`);
        return 2;
      }
    }
  }
  const config = loadHubConfig();
  const database = await openDb({
    domains: ["hub", "alerting"],
    url: config.databaseUrl,
    dataDir: pgliteDir(config.PEAKWATCH_DATA_DIR, "hub"),
  });
  try {
    const users = new Users(database.db);
    if (action === "list") {
      for (const u of (await users.list()).map(userView)) {
        console.log(`${u.email}\t${u.role}${u.expiresAt ? `\texpires ${u.expiresAt}` : ""}`);
      }
      return 0;
    }
    const user = await users.upsert({ email: email!, role: role!, expiresAt });
    console.log(`user ${user.email} is ${user.role}${expiresAt ? ` until ${expiresAt.toISOString()}` : ""}`);
    return 0;
  } finally {
    await database.close();
  }
}
