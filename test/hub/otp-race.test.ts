import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentDomains } from "../../db/domains.ts";
import { openDb } from "../../db/open.ts";
import { otpChallenges } from "../../db/schema/hub.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

// Finding 7: a try limit kept by reading the count, adding one in JS and writing it back lets a
// burst of concurrent guesses overwrite each other's count. These requests go over real HTTP to
// a hub whose Postgres pool has many connections, so the tries truly run side by side.
const BURST = 200;
const POOL = 20;

for (const kind of databaseKinds) {
  describe(`[${kind}] concurrent wrong codes (finding 7)`, () => {
    let t: TestHub;
    let created: TestDatabase | undefined;
    beforeAll(async () => {
      created = await createTestDatabase(kind, componentDomains.hub);
      // The hub gets its own wide pool on the same database (PGlite has one connection anyway).
      const database: TestDatabase =
        kind === "postgres"
          ? { ...(await openDb({ domains: [], url: created.url, poolSize: POOL })), url: created.url }
          : created;
      t = await startTestHub({ kind, database });
    }, 180_000);
    afterAll(async () => {
      await t?.close();
      if (t && t.database !== created) await t.database.close();
      await created?.close();
    });

    const verify = (challengeId: string, code: string) =>
      fetch(`${t.url}/api/v1/auth/otp/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ challengeId, code }),
      });

    const requestChallenge = async (email: string) => {
      const requested = await fetch(`${t.url}/api/v1/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email }),
      });
      expect(requested.status).toBe(200);
      const { challengeId } = (await requested.json()) as { challengeId: string };
      const right = t.mailbox.findLast((m) => m.email === email)!.code;
      return { challengeId, right, wrong: right === "000000" ? "000001" : "000000" };
    };
    const challengeRow = async (challengeId: string) => {
      const [row] = await t.database.db
        .select({ attempts: otpChallenges.attempts, maxAttempts: otpChallenges.maxAttempts })
        .from(otpChallenges)
        .where(eq(otpChallenges.id, challengeId));
      return row!;
    };
    const newUser = async () => {
      const email = `race-${Date.now()}-${Math.random().toString(36).slice(2)}@peakwatch.test`;
      await t.hub.users.create({ email, role: "viewer", expiresAt: null });
      return email;
    };

    it(`counts every one of ${BURST} concurrent wrong codes (try limit raised above the burst, so a lost count shows)`, async () => {
      const { challengeId, wrong } = await requestChallenge(await newUser());
      await t.database.db
        .update(otpChallenges)
        .set({ maxAttempts: 10 * BURST })
        .where(eq(otpChallenges.id, challengeId));
      const burst = await Promise.all(Array.from({ length: BURST }, () => verify(challengeId, wrong)));
      expect(burst.filter((r) => r.status !== 401).map((r) => r.status)).toEqual([]);
      expect((await challengeRow(challengeId)).attempts).toBe(BURST);
    }, 120_000);

    it(`a burst of ${BURST} wrong codes burns the challenge at the shipped limit; the right code is then refused`, async () => {
      const email = await newUser();
      // PGlite has one connection, so the race needs Postgres; there one round suffices as a check.
      const rounds = kind === "postgres" ? 3 : 1;
      for (let round = 0; round < rounds; round++) {
        const { challengeId, right, wrong } = await requestChallenge(email);
        const burst = await Promise.all(Array.from({ length: BURST }, () => verify(challengeId, wrong)));
        expect(burst.filter((r) => r.status !== 401).map((r) => r.status)).toEqual([]);
        const row = await challengeRow(challengeId);
        expect({ round, attempts: row.attempts }).toEqual({ round, attempts: row.maxAttempts });
        const late = await verify(challengeId, right);
        expect({ round, status: late.status }).toEqual({ round, status: 401 });
      }
    }, 120_000);
  });
}
