import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDb } from "../db/open.ts";
import { postgresClient } from "../db/postgres-client.ts";

const base = process.env.TEST_DATABASE_URL;
const socketDir = process.env.TEST_PG_SOCKET_DIR ?? "/var/run/postgresql";
const port = base ? new URL(base).port || "5432" : "5432";
const hasSocket = existsSync(join(socketDir, `.s.PGSQL.${port}`));

/** The URL with libpq's `?host=` set, and an authority that must not be what is dialled. */
function withHost(host: string): string {
  const url = new URL(base!);
  url.hostname = "unused.invalid";
  url.searchParams.set("host", host);
  return url.toString();
}

describe.runIf(base)("Postgres URLs with libpq's ?host=", () => {
  // The server's own address for this connection: null over a Unix socket.
  it.runIf(hasSocket)("a directory reaches the server over its Unix socket", async () => {
    const opened = await openDb({ domains: ["hub"], url: withHost(socketDir), poolSize: 1 });
    try {
      const result = (await opened.db.execute("select inet_server_addr() as addr")) as unknown as Array<{
        addr: string | null;
      }>;
      expect(result[0]!.addr).toBeNull();
    } finally {
      await opened.close();
    }
  });

  it("a host name replaces the URL's own", async () => {
    const client = postgresClient(withHost(new URL(base!).hostname), { max: 1, onnotice: () => {} });
    try {
      const [row] = await client<Array<{ tcp: boolean }>>`select inet_server_addr() is not null as tcp`;
      expect(row!.tcp).toBe(true);
    } finally {
      await client.end({ timeout: 5 });
    }
  });

  it("without it the URL connects as given", async () => {
    const client = postgresClient(base!, { max: 1, onnotice: () => {} });
    try {
      const [row] = await client<Array<{ one: number }>>`select 1::int as one`;
      expect(row!.one).toBe(1);
    } finally {
      await client.end({ timeout: 5 });
    }
  });
});
