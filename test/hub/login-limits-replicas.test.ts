import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentDomains } from "../../db/domains.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

// Two hub replicas on one database, as behind a load balancer: login limits are counted in
// the database, so a client alternating (or racing) between replicas gets no extra tries.
const shipped = {
  HUB_TRUST_PROXY: "1",
  HUB_LOGIN_CODES_PER_ADDRESS: "30",
  HUB_LOGIN_CODES_PER_ACCOUNT: "5",
  HUB_LOGIN_FAILURES_PER_ADDRESS: "30",
};

for (const kind of databaseKinds) {
  describe(`[${kind}] login limits across two hub replicas`, () => {
    let database: TestDatabase;
    let a: TestHub;
    let b: TestHub;
    beforeAll(async () => {
      database = await createTestDatabase(kind, componentDomains.hub);
      a = await startTestHub({ kind, database, env: shipped });
      b = await startTestHub({ kind, database, env: shipped });
    }, 180_000);
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await database?.close();
    });

    const replica = (i: number) => (i % 2 === 0 ? a : b);
    const post = (hub: TestHub, path: string, address: string, body: unknown) =>
      fetch(`${hub.url}/api/v1${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address },
        body: JSON.stringify(body),
      });

    it("codes for one account from one address are counted once across replicas, alike for real and unknown emails", async () => {
      const statuses = async (email: string, address: string) => {
        const out: number[] = [];
        for (let i = 0; i < 8; i++)
          out.push((await post(replica(i), "/auth/otp/request", address, { email })).status);
        return out;
      };
      const real = await statuses("admin@peakwatch.test", "198.51.100.11");
      const unknown = await statuses("nobody@peakwatch.test", "198.51.100.12");
      expect(real).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(unknown).toEqual(real);
      // Another address is not affected: the admin can still ask for a code.
      expect(
        (await post(b, "/auth/otp/request", "198.51.100.13", { email: "admin@peakwatch.test" })).status,
      ).toBe(200);
    });

    it("a concurrent burst of code requests split over both replicas gets exactly the per-address limit", async () => {
      const address = "203.0.113.21";
      const burst = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post(replica(i), "/auth/otp/request", address, { email: `burst-${i}@peakwatch.test` }),
        ),
      );
      const statuses = burst.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(30);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      const refused = burst.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    });

    it("wrong codes from one address are counted across replicas: the 31st is refused on either", async () => {
      const address = "192.0.2.31";
      const challenges: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await post(replica(i), "/auth/otp/request", "192.0.2.32", {
          email: `victim-${i}@peakwatch.test`,
        });
        challenges.push(((await r.json()) as { challengeId: string }).challengeId);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const challengeId = challenges[Math.floor(i / 5)]!;
        statuses.push(
          (await post(replica(i), "/auth/otp/verify", address, { challengeId, code: "123456" })).status,
        );
      }
      expect(statuses.every((s) => s === 401)).toBe(true);
      for (const hub of [a, b]) {
        const refused = await post(hub, "/auth/otp/verify", address, {
          challengeId: challenges[6],
          code: "123456",
        });
        expect(refused.status).toBe(429);
      }
      // The same challenge from another address still gets its own tries.
      const other = await post(a, "/auth/otp/verify", "192.0.2.33", {
        challengeId: challenges[6],
        code: "123456",
      });
      expect(other.status).toBe(401);
    });
  });
}
