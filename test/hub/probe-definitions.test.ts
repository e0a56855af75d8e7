import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Probe } from "../../core/probe.ts";
import { retiredProbes } from "../../db/schema/hub.ts";
import { HubConfig } from "../../probes/hub-config.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { makeProbeResult } from "./fixtures.ts";

for (const kind of databaseKinds) {
  describe(`[${kind}] probe definitions on the hub`, () => {
    let t: TestHub;
    let ops: TestSession;
    let viewer: TestSession;
    beforeAll(async () => {
      t = await startTestHub({ kind });
      ops = await t.loginAs("ops");
      viewer = await t.loginAs("viewer");
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const response = await fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };

    /** What a probes process receives at one poll, the way the real one polls. */
    const poll = async (): Promise<{ probes: Probe[] | undefined; notes: string[] }> => {
      let probes: Probe[] | undefined;
      const notes: string[] = [];
      const config = new HubConfig({
        hubUrl: t.url,
        token: t.agentToken,
        intervalMs: 60_000,
        onProbes: (p) => {
          probes = p;
        },
        log: (line) => notes.push(line),
      });
      await config.poll();
      return { probes, notes };
    };

    it("says when the hub's probe configuration is reachable again after a failed poll", async () => {
      const notes: string[] = [];
      let calls = 0;
      const config = new HubConfig({
        hubUrl: t.url,
        token: t.agentToken,
        intervalMs: 60_000,
        onProbes: () => {},
        log: (line) => notes.push(line),
        // The first poll goes to a closed loopback port (a hub still starting), the next to the hub.
        fetch: (url, init) => globalThis.fetch(calls++ === 0 ? "http://127.0.0.1:9/" : url, init),
      });
      await config.poll();
      expect(notes).toEqual([expect.stringMatching(/^probes: hub probe configuration unreachable: /)]);
      await config.poll();
      expect(notes.slice(1)).toEqual([
        "probes: hub probe configuration reachable again",
        "probes: 0 probes from the hub",
      ]);
      await config.poll();
      expect(notes).toHaveLength(3);
    });

    const homeProbe = {
      name: "hub-home",
      kind: "http",
      url: "http://127.0.0.1:9/healthz",
      interval: "30s",
      assertions: [{ type: "status", in: [200] }],
    };

    it("serves the probes process its configuration with the agent token (a fresh hub answered 403)", async () => {
      const answer = await call("GET", "/probes/config", t.agentHeaders);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ probes: [] });
      const { probes, notes } = await poll();
      expect(probes).toEqual([]);
      expect(notes.join("\n")).not.toMatch(/403/);
    });

    it("an ops user's new probe reaches the probes process at its next poll; pause, edit and delete follow", async () => {
      const created = await call("POST", "/probes/definitions", ops.headers, { probe: homeProbe });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: "hub-home", paused: false, updatedBy: ops.email });
      let served = await poll();
      expect(served.probes?.map((p) => [p.name, p.interval])).toEqual([["hub-home", 30_000]]);

      expect(
        (await call("PATCH", "/probes/definitions/hub-home", ops.headers, { paused: true })).status,
      ).toBe(200);
      served = await poll();
      expect(served.probes).toEqual([]);

      const edited = await call("PATCH", "/probes/definitions/hub-home", ops.headers, {
        probe: { ...homeProbe, interval: "1m" },
        paused: false,
      });
      expect(edited.status).toBe(200);
      served = await poll();
      expect(served.probes?.map((p) => [p.name, p.interval])).toEqual([["hub-home", 60_000]]);

      expect((await call("DELETE", "/probes/definitions/hub-home", ops.headers)).status).toBe(204);
      expect((await poll()).probes).toEqual([]);
      expect((await call("DELETE", "/probes/definitions/hub-home", ops.headers)).status).toBe(404);
    });

    it("a deleted probe leaves the probes list (its results kept); results after its deletion, or the probe added again, bring it back", async () => {
      const probe = { ...homeProbe, name: "short-lived" };
      expect((await call("POST", "/probes/definitions", ops.headers, { probe })).status).toBe(201);
      const report = async (startedAt: number) => {
        const result = makeProbeResult({ probe: "short-lived", startedAt });
        const r = await call("POST", "/ingest/probe-results", t.agentHeaders, { results: [result] });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      };
      const listed = async () =>
        ((await call("GET", "/probes", viewer.headers)).body.probes as Array<{ name: string }>)
          .map((p) => p.name)
          .includes("short-lived");
      await report(Date.now() - 1000);
      expect(await listed()).toBe(true);
      expect((await call("DELETE", "/probes/definitions/short-lived", ops.headers)).status).toBe(204);
      expect(await listed()).toBe(false);
      // A check in flight at the deletion reports a little later: still gone.
      await report(Date.now());
      expect(await listed()).toBe(false);
      // Its history stays readable.
      const history = await call("GET", "/probes/short-lived/results", viewer.headers);
      expect(history.body.results).toHaveLength(2);
      // Added again: listed again.
      expect((await call("POST", "/probes/definitions", ops.headers, { probe })).status).toBe(201);
      expect(await listed()).toBe(true);
      expect((await call("DELETE", "/probes/definitions/short-lived", ops.headers)).status).toBe(204);
      // Another probes process still checking under that name, well after the deletion: listed.
      await t.database.db.update(retiredProbes).set({ retiredAt: Date.now() - 10 * 60_000 });
      await report(Date.now());
      expect(await listed()).toBe(true);
    });

    it("refuses bad definitions with a 400 naming the field, as probes --check does, and stores nothing", async () => {
      const badInterval = await call("POST", "/probes/definitions", ops.headers, {
        probe: { ...homeProbe, name: "bad-interval", interval: "soon" },
      });
      expect(badInterval.status).toBe(400);
      expect(badInterval.body.message).toMatch(/body\.probe\.interval: not a duration/);
      const envSecret = await call("POST", "/probes/definitions", ops.headers, {
        probe: {
          ...homeProbe,
          name: "leaky",
          headers: { authorization: "Bearer {{env.PEAKWATCH_AGENT_TOKEN}}" },
        },
      });
      expect(envSecret.status).toBe(400);
      expect(envSecret.body.message).toMatch(/\{\{env/);
      const outside = await call("POST", "/probes/definitions", ops.headers, {
        probe: { ...homeProbe, name: "outside", url: "http://example.com/" },
      });
      expect(outside.status).toBe(400);
      expect(outside.body.message).toBe(
        "body.probe.url: example.com is not allowlisted (loopback, the shop and PEAKWATCH_ALLOWED_TARGETS are)",
      );
      const tcp = await call("POST", "/probes/definitions", ops.headers, {
        probe: { name: "db", kind: "tcp", host: "10.0.0.5", port: 5432 },
      });
      expect(tcp.status).toBe(400);
      expect(tcp.body.message).toMatch(/^body\.probe\.host: 10\.0\.0\.5:5432 is not allowlisted/);
      const templatedHost = await call("POST", "/probes/definitions", ops.headers, {
        probe: {
          name: "flow",
          kind: "flow",
          steps: [
            { name: "home", url: "http://127.0.0.1:9/" },
            { name: "next", url: "{{target}}/api" },
          ],
        },
      });
      expect(templatedHost.status).toBe(400);
      expect(templatedHost.body.message).toMatch(
        /^body\.probe\.steps\.1\.url: write the scheme and host out/,
      );
      const listed = await call("GET", "/probes/definitions", viewer.headers);
      expect(listed.status).toBe(200);
      expect(listed.body.definitions).toEqual([]);
    });

    it("refuses an edit that points a kept probe outside the allowlist and keeps the old target", async () => {
      expect(
        (await call("POST", "/probes/definitions", ops.headers, { probe: { ...homeProbe, name: "kept" } }))
          .status,
      ).toBe(201);
      const moved = await call("PATCH", "/probes/definitions/kept", ops.headers, {
        probe: { ...homeProbe, name: "kept", url: "https://203.0.113.9/login" },
      });
      expect(moved.status).toBe(400);
      expect(moved.body.message).toMatch(/^body\.probe\.url: 203\.0\.113\.9 is not allowlisted/);
      const { probes } = await poll();
      expect(probes?.find((p) => p.name === "kept")).toMatchObject({ url: homeProbe.url });
      expect((await call("DELETE", "/probes/definitions/kept", ops.headers)).status).toBe(204);
    });

    it("lets viewers read but not change definitions, and agents only read the served configuration", async () => {
      expect(
        (await call("POST", "/probes/definitions", viewer.headers, { probe: { ...homeProbe, name: "v" } }))
          .status,
      ).toBe(403);
      expect((await call("GET", "/probes/definitions", t.agentHeaders)).status).toBe(403);
      expect((await call("GET", "/probes/config", viewer.headers)).status).toBe(403);
      expect((await call("GET", "/probes/config", {})).status).toBe(401);
    });

    it("tells the dashboard which shop it really scrapes", async () => {
      const config = await call("GET", "/config", viewer.headers);
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({ shopUrl: expect.stringMatching(/^http:\/\//), allowedTargets: [] });
    });
  });
}
