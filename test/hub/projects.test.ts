import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_HEADER } from "../../core/api/projects.ts";
import type { ServerMessage } from "../../core/live.ts";
import { rowsOf } from "../../db/rows.ts";
import { projects } from "../../db/schema/hub.ts";
import type { Role } from "../../server/auth/roles.ts";
import { MAX_SCRAPE_TARGETS } from "../../server/scraper/target-store.ts";
import { databaseKinds } from "../helpers/db.ts";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";
import { makeProbeResult, makeWindow } from "./fixtures.ts";
import { connectLive } from "./live-client.ts";

const roles: Role[] = ["viewer", "engineer", "ops", "admin"];

/** What project beta holds; ids are filled in as the suite creates them. */
interface Beta {
  run: string;
  probe: string;
  ruleId: string;
  silenceId: string;
  channelId: string;
  fingerprint: string;
  scrapeTargetId: string;
}

/** Strings only beta's data holds: none may show in anything alpha reads. */
const betaOnly = {
  team: "beta-only-team",
  mail: "oncall@beta-only.test",
  routedChannel: "beta-routed",
  mailChannel: "beta-mail",
};

/**
 * The loopback services the hub talks to: a shop (fault switches, /metrics), each project's
 * /metrics, webhook and Alertmanager, recording what they were sent by path.
 */
async function startSide(): Promise<{
  url: string;
  received: Array<{ path: string; body: string }>;
  server: Server;
}> {
  const received: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, body });
      if (path.endsWith("/metrics")) {
        res.writeHead(200, { "content-type": "text/plain" }).end("process_resident_memory_bytes 4242\n");
      } else {
        // A switch's answer as the shop gives it, with its expiry when one was asked for.
        const seconds = (body ? (JSON.parse(body) as { expiresInSeconds?: number }) : {}).expiresInSeconds;
        const expiresAt = seconds ? new Date(Date.now() + seconds * 1000).toISOString() : null;
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ enabled: true, expiresAt, params: {} }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/**
 * Every read of one of beta's resources (and the list routes, whose answer must not contain
 * them). `list` routes answer 200 in the caller's own project; the others 404 there too.
 */
function reads(b: Beta): Array<{ path: string; method?: string; body?: unknown; list?: Role; needs?: Role }> {
  return [
    { path: `/runs/${b.run}` },
    { path: `/runs/${b.run}/series` },
    { path: `/runs/${b.run}/report.json` },
    { path: `/runs/${b.run}/report.xml` },
    { path: `/runs/${b.run}/report.html` },
    { path: `/runs/${b.run}/verdict` },
    { path: `/runs/compare?a=${b.run}&b=${b.run}` },
    { path: `/probes/${b.probe}/results` },
    { path: `/probes/${b.probe}/series` },
    { path: `/rules/${b.ruleId}` },
    { path: `/alerts/${b.fingerprint}/ack`, method: "POST", needs: "engineer" },
    { path: `/silences/${b.silenceId}`, method: "DELETE", needs: "engineer" },
    { path: `/channels/${b.channelId}`, method: "PUT", body: { name: "renamed" }, needs: "admin" },
    { path: `/channels/${b.channelId}/test`, method: "POST", needs: "admin" },
    { path: `/scrape/targets/${b.scrapeTargetId}`, method: "DELETE", needs: "ops" },
    { path: `/alerts/history?fingerprint=${b.fingerprint}`, list: "viewer" },
    { path: "/runs", list: "viewer" },
    { path: "/probes", list: "viewer" },
    { path: "/probes/definitions", list: "viewer" },
    { path: "/rules", list: "viewer" },
    { path: "/alerts", list: "viewer" },
    { path: "/silences?all=1", list: "viewer" },
    { path: "/summary", list: "viewer" },
    { path: "/channels", list: "admin" },
    { path: "/deliveries", list: "engineer" },
    { path: "/deliveries/captured-mail", list: "engineer" },
    { path: "/routes", list: "admin" },
    { path: "/scrape/targets", list: "viewer" },
    { path: "/scrape/series?series=memory_rss_bytes", list: "viewer" },
    { path: "/faults/changes", list: "viewer" },
    { path: "/agent-tokens", list: "admin" },
  ];
}

const rank = (r: Role) => roles.indexOf(r);

for (const kind of databaseKinds) {
  describe(`[${kind}] projects keep their data apart`, () => {
    let t: TestHub;
    let side: Awaited<ReturnType<typeof startSide>>;
    let betaTarget: string;
    let admin: TestSession;
    const members = {} as Record<Role, TestSession>;
    let betaAdmin: TestSession;
    let alphaToken: string;
    let betaToken: string;
    const beta = {} as Beta;
    const now = Date.now();
    const second = Math.floor(now / 1000) - 30;

    const call = (
      method: string,
      path: string,
      headers: Record<string, string>,
      body?: unknown,
    ): Promise<Response> =>
      fetch(`${t.url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const as = (session: TestSession, project: string) => ({ ...session.headers, [PROJECT_HEADER]: project });
    const ok = async (response: Response, status = 200) => {
      const text = await response.text();
      expect(response.status, text).toBe(status);
      return text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
    const agent = (token: string) => ({ authorization: `Bearer ${token}` });

    beforeAll(async () => {
      side = await startSide();
      betaTarget = `${side.url}/beta/metrics`;
      t = await startTestHub({ kind, env: { PEAKWATCH_SHOP_URL: side.url, SHOP_ADMIN_TOKEN: "side-admin" } });
      admin = await t.loginAs("admin");
      for (const slug of ["alpha", "beta"])
        await ok(await call("POST", "/projects", admin.headers, { slug, name: slug.toUpperCase() }), 201);
      // Alpha's members are viewers of the instance: their rights come from the project alone.
      for (const role of roles) {
        members[role] = await t.loginAs("viewer", { email: `alpha-${role}-${kind}@peakwatch.test` });
        await ok(
          await call("PUT", "/projects/alpha/members", admin.headers, { email: members[role].email, role }),
        );
      }
      betaAdmin = await t.loginAs("viewer", { email: `beta-admin-${kind}@peakwatch.test` });
      await ok(
        await call("PUT", "/projects/beta/members", admin.headers, { email: betaAdmin.email, role: "admin" }),
      );
      const token = async (project: string) =>
        (
          (await ok(
            await call("POST", "/agent-tokens", as(admin, project), { name: `${project}-agent` }),
            201,
          )) as { token: string }
        ).token;
      alphaToken = await token("alpha");
      betaToken = await token("beta");

      // Alpha's rule over every probe: beta's failing probe must not reach it (checked by the leak checks below).
      await ok(
        await call("POST", "/rules", as(members.admin, "alpha"), {
          kind: "threshold",
          name: "AlphaAnyProbeDown",
          query: { source: "probes", stat: "success_ratio", windowSeconds: 300 },
          comparator: "<",
          threshold: 1,
        }),
        201,
      );
      // Beta's data, written by beta's agent and beta's admin.
      beta.run = `beta-run-${kind}`;
      beta.probe = `beta-probe-${kind}`;
      const b = as(betaAdmin, "beta");
      beta.ruleId = (
        (await ok(
          await call("POST", "/rules", b, {
            kind: "threshold",
            name: "BetaProbeDown",
            query: { source: "probes", stat: "success_ratio", probe: beta.probe, windowSeconds: 300 },
            comparator: "<",
            threshold: 1,
          }),
          201,
        )) as { rule: { id: string } }
      ).rule.id;
      await ok(
        await call("POST", "/ingest/runs", agent(betaToken), {
          runId: beta.run,
          profile: "smoke",
          target: "http://127.0.0.1:4100/",
          status: "running",
          startedAt: now - 60_000,
          workers: 1,
          thresholds: [],
          faults: [],
        }),
      );
      await ok(
        await call("POST", "/ingest/windows", agent(betaToken), {
          windows: [makeWindow({ runId: beta.run, step: "journey", worker: "w1", second })],
        }),
      );
      await ok(
        await call("POST", "/ingest/probe-results", agent(betaToken), {
          results: [makeProbeResult({ probe: beta.probe, ok: false, state: "down", startedAt: now - 5_000 })],
        }),
      );
      beta.silenceId = (
        (await ok(
          await call("POST", "/silences", b, {
            matchers: [{ name: "alertname", op: "=", value: "Nothing" }],
            endsAt: now + 3_600_000,
            comment: "beta's own",
          }),
          201,
        )) as { silence: { id: string } }
      ).silence.id;
      beta.channelId = (
        (await ok(
          await call("POST", "/channels", b, {
            name: "beta-hook",
            kind: "webhook",
            url: "http://127.0.0.1:9/hook",
          }),
          201,
        )) as { channel: { id: string } }
      ).channel.id;
      // Beta's own routing tree (sending at once) to its own webhook, its Alertmanager, its mail,
      // a scrape target with samples, a fault switch flipped and a test notice of each channel.
      const created = async (body: Record<string, unknown>) =>
        ((await ok(await call("POST", "/channels", b, body), 201)) as { channel: { id: string } }).channel.id;
      await created({ name: betaOnly.routedChannel, kind: "webhook", url: `${side.url}/beta/hook` });
      await created({ name: "beta-am", kind: "alertmanager", url: `${side.url}/beta-am` });
      const mailId = await created({ name: betaOnly.mailChannel, kind: "email", to: [betaOnly.mail] });
      await ok(
        await call("POST", "/channels", as(members.admin, "alpha"), {
          name: "alpha-am",
          kind: "alertmanager",
          url: `${side.url}/alpha-am`,
        }),
        201,
      );
      await ok(
        await call("PUT", "/routes", b, {
          route: {
            routes: [
              {
                channel: betaOnly.routedChannel,
                matchers: [{ name: "team", op: "!=", value: betaOnly.team }],
                groupWaitSeconds: 0,
              },
            ],
          },
        }),
      );
      for (const id of [mailId, beta.channelId]) await ok(await call("POST", `/channels/${id}/test`, b));
      beta.scrapeTargetId = (
        (await ok(await call("POST", "/scrape/targets", b, { url: betaTarget }), 201)) as {
          target: { id: string };
        }
      ).target.id;
      // A rule over a scraped series in each project: beta's sees only beta's target, alpha's
      // (which scrapes nothing) none of the default project's or beta's samples.
      const rssRule = (name: string) => ({
        kind: "threshold",
        name,
        query: { source: "metrics", stat: "last", series: "memory_rss_bytes", windowSeconds: 300 },
        comparator: ">",
        threshold: 0,
      });
      await ok(await call("POST", "/rules", b, rssRule("BetaRssHigh")), 201);
      await ok(await call("POST", "/rules", as(members.admin, "alpha"), rssRule("AlphaRssHigh")), 201);
      await t.hub.scraper.scrapeAll();
      await ok(await call("PUT", "/faults/latency", b, { expiresInSeconds: 3600 }));
      // The rules fire on beta's failed probe and beta's scraped sample: wait for beta's alerts.
      const deadline = Date.now() + 30_000;
      let rss: { labels: Record<string, string> } | undefined;
      while ((!beta.fingerprint || !rss) && Date.now() < deadline) {
        const { alerts } = (await ok(await call("GET", "/alerts", b))) as {
          alerts: Array<{ fingerprint: string; rule: string; labels: Record<string, string> }>;
        };
        const found = alerts.find((a) => a.rule === "BetaProbeDown");
        rss = alerts.find((a) => a.rule === "BetaRssHigh");
        if (found) {
          expect(found.labels.project).toBe("beta");
          beta.fingerprint = found.fingerprint;
        }
        if (!found || !rss) await new Promise((r) => setTimeout(r, 200));
      }
      expect(beta.fingerprint, "beta's alert fired").toMatch(/^[0-9a-f]{16}$/);
      expect(rss?.labels, "beta's rule over its scraped series fired").toMatchObject({
        project: "beta",
        target: betaTarget,
      });
      const { alerts: alphaAlerts } = (await ok(
        await call("GET", "/alerts", as(members.admin, "alpha")),
      )) as {
        alerts: Array<{ rule: string }>;
      };
      expect(alphaAlerts.map((a) => a.rule)).not.toContain("AlphaRssHigh");
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      side?.server.close();
    });

    it("beta's own admin reads every one of those resources (so the 404s below are about scope)", async () => {
      const problems: string[] = [];
      for (const read of reads(beta)) {
        if (read.method && read.method !== "GET") continue;
        const response = await call("GET", read.path, as(betaAdmin, "beta"));
        const text = await response.text();
        if (response.status !== 200) problems.push(`${read.path} → ${response.status}`);
        else if (read.path === `/runs/${beta.run}` && !text.includes(beta.run))
          problems.push("the run is missing");
      }
      expect(problems).toEqual([]);
      const { alerts } = (await ok(await call("GET", "/alerts", as(betaAdmin, "beta")))) as {
        alerts: Array<{ fingerprint: string }>;
      };
      expect(alerts.map((a) => a.fingerprint)).toContain(beta.fingerprint);
    });

    it("every role of alpha gets 404 for every read of beta, named by header, query or id", async () => {
      const mismatches: string[] = [];
      let checked = 0;
      const secrets = () => [
        beta.run,
        beta.probe,
        beta.ruleId,
        beta.silenceId,
        beta.channelId,
        beta.fingerprint,
        beta.scrapeTargetId,
        betaTarget,
        betaAdmin.email,
        ...Object.values(betaOnly),
      ];
      for (const role of roles) {
        const member = members[role];
        for (const read of reads(beta)) {
          const method = read.method ?? "GET";
          // Naming beta (header, or ?project=): beta does not exist for them.
          for (const scoped of [
            { headers: as(member, "beta"), path: read.path },
            {
              headers: member.headers,
              path: `${read.path}${read.path.includes("?") ? "&" : "?"}project=beta`,
            },
          ]) {
            const response = await call(method, scoped.path, scoped.headers, read.body);
            checked++;
            if (response.status !== 404)
              mismatches.push(`${role} ${method} ${scoped.path} [beta] → ${response.status}`);
          }
          // In alpha, beta's ids do not exist and lists hold nothing of beta's.
          const response = await call(method, read.path, as(member, "alpha"), read.body);
          const text = await response.text();
          checked++;
          // A role too low for a change is refused (403) whatever the id: that reveals nothing either.
          const expected = read.list
            ? rank(role) >= rank(read.list)
              ? 200
              : 403
            : rank(role) >= rank(read.needs ?? "viewer")
              ? 404
              : 403;
          if (response.status !== expected)
            mismatches.push(
              `${role} ${method} ${read.path} [alpha] → ${response.status}, wanted ${expected}`,
            );
          // A 404 names what was asked for; a list must hold nothing of beta's.
          const leaked = response.status === 200 ? secrets().filter((s) => text.includes(s)) : [];
          if (leaked.length > 0)
            mismatches.push(`${role} ${method} ${read.path} [alpha] shows ${leaked.join(", ")}`);
        }
      }
      expect(mismatches).toEqual([]);
      expect(checked).toBe(roles.length * reads(beta).length * 3);
    });

    it("nothing of beta changed through those requests", async () => {
      const b = as(betaAdmin, "beta");
      const { silences } = (await ok(await call("GET", "/silences", b))) as {
        silences: Array<{ id: string }>;
      };
      expect(silences.map((s) => s.id)).toContain(beta.silenceId);
      const { channels } = (await ok(await call("GET", "/channels", b))) as {
        channels: Array<{ name: string }>;
      };
      expect(channels.map((c) => c.name).sort()).toEqual(
        ["beta-am", "beta-hook", betaOnly.mailChannel, betaOnly.routedChannel].sort(),
      );
      const { targets } = (await ok(await call("GET", "/scrape/targets", b))) as {
        targets: Array<{ id: string }>;
      };
      expect(targets.map((x) => x.id)).toEqual([beta.scrapeTargetId]);
      const { alerts } = (await ok(await call("GET", "/alerts", b))) as {
        alerts: Array<{ fingerprint: string; acknowledgedBy: string | null }>;
      };
      expect(alerts.find((a) => a.fingerprint === beta.fingerprint)?.acknowledgedBy).toBeNull();
    });

    it("alpha's agent token cannot ingest into beta's run, nor name beta; nothing is stored", async () => {
      const before = (await ok(await call("GET", `/runs/${beta.run}`, as(betaAdmin, "beta")))) as {
        steps: Record<string, { count: number }>;
      };
      const foreignWindow = {
        windows: [makeWindow({ runId: beta.run, step: "journey", worker: "w1", second }, [9e6])],
      };
      expect((await call("POST", "/ingest/windows", agent(alphaToken), foreignWindow)).status).toBe(404);
      const report = {
        runId: beta.run,
        profile: "hijack",
        target: "http://127.0.0.1:4100/",
        status: "passed",
        startedAt: now,
        workers: 1,
        thresholds: [],
        faults: [],
      };
      expect((await call("POST", "/ingest/runs", agent(alphaToken), report)).status).toBe(404);
      const named = { ...agent(alphaToken), [PROJECT_HEADER]: "beta" };
      const ownRun = { windows: [makeWindow({ runId: "alpha-run", step: "journey", worker: "w1", second })] };
      expect((await call("POST", "/ingest/windows", named, ownRun)).status).toBe(404);
      expect(
        (await call("POST", "/ingest/probe-results", named, { results: [makeProbeResult()] })).status,
      ).toBe(404);
      const after = (await ok(await call("GET", `/runs/${beta.run}`, as(betaAdmin, "beta")))) as {
        run: { profile: string };
        steps: Record<string, { count: number }>;
      };
      expect(after.steps).toEqual(before.steps);
      expect(after.run.profile).toBe("smoke");
      // What alpha's token writes lands in alpha, where beta's members do not see it.
      expect((await call("POST", "/ingest/windows", agent(alphaToken), ownRun)).status).toBe(200);
      const alphaProbe = makeProbeResult({ probe: "alpha-only" });
      expect(
        (await call("POST", "/ingest/probe-results", agent(alphaToken), { results: [alphaProbe] })).status,
      ).toBe(200);
      expect((await call("GET", "/probes/alpha-only/results", as(members.viewer, "alpha"))).status).toBe(200);
      expect((await call("GET", "/probes/alpha-only/results", as(betaAdmin, "beta"))).status).toBe(404);
      expect((await call("GET", "/probes/alpha-only/results", as(betaAdmin, "alpha"))).status).toBe(404);
    });

    it("the live socket refuses beta to alpha's members and carries only the subscribed project's data", async () => {
      for (const role of roles) {
        await expect(
          connectLive(t.url, as(members[role], "beta")),
          `${role} opening beta's socket`,
        ).rejects.toThrow("upgrade refused: 404");
      }
      const alpha = await connectLive(t.url, as(members.viewer, "alpha"));
      const betaLive = await connectLive(t.url, as(betaAdmin, "beta"));
      const isSubscribed = (m: ServerMessage) => m.type === "subscribed";
      alpha.send({ type: "subscribe", topics: ["runs", "probes", "alerts"], lastAlertSeq: 0 });
      await alpha.waitFor((m): m is ServerMessage => isSubscribed(m));
      // Beta's run is refused exactly as a run that does not exist: same code, same wording.
      const refusal = async (runId: string) => {
        const before = alpha.messages.length;
        alpha.send({ type: "subscribe", topics: [`run:${runId}`] });
        await alpha.waitFor(
          (m): m is ServerMessage => m.type === "error" && alpha.messages.indexOf(m) >= before,
        );
        return alpha.messages.slice(before).find((m) => m.type === "error");
      };
      expect(await refusal(beta.run)).toEqual({
        type: "error",
        code: "not_found",
        message: `no run ${beta.run}`,
      });
      expect(await refusal(`never-${kind}`)).toEqual({
        type: "error",
        code: "not_found",
        message: `no run never-${kind}`,
      });
      betaLive.send({ type: "subscribe", topics: ["runs", "probes", `run:${beta.run}`] });
      await betaLive.waitFor((m): m is ServerMessage => isSubscribed(m));
      await ok(
        await call("POST", "/ingest/probe-results", agent(betaToken), {
          results: [makeProbeResult({ probe: beta.probe, ok: false, state: "down" })],
        }),
      );
      await ok(
        await call("POST", "/ingest/windows", agent(betaToken), {
          windows: [makeWindow({ runId: beta.run, step: "journey", worker: "w2", second: second + 1 })],
        }),
      );
      // Beta's subscriber gets beta's probe result and window; alpha's gets none of it, ever.
      await betaLive.waitFor(
        (m): m is ServerMessage => m.type === "probe" && m.result.probe === beta.probe,
        10_000,
      );
      await betaLive.waitFor((m): m is ServerMessage => m.type === "window" && m.runId === beta.run, 10_000);
      await new Promise((r) => setTimeout(r, 1500));
      // A fault beta flips on the shared shop reaches alpha's charts too, without who flipped it.
      await ok(await call("DELETE", "/faults/latency", as(betaAdmin, "beta")));
      const isClear = (m: ServerMessage) => m.type === "fault" && m.change.action === "clear";
      const own = await betaLive.waitFor((m): m is ServerMessage => isClear(m), 10_000);
      const other = await alpha.waitFor((m): m is ServerMessage => isClear(m), 10_000);
      expect(own).toMatchObject({ change: { fault: "latency", by: betaAdmin.email } });
      expect(other).toMatchObject({ change: { fault: "latency", by: "another project", detail: null } });
      const leaked = JSON.stringify(alpha.messages.filter((m) => m.type !== "error"));
      for (const secret of [beta.run, beta.probe, beta.fingerprint, betaAdmin.email])
        expect(leaked).not.toContain(secret);
      alpha.ws.close();
      betaLive.ws.close();
    });

    it("the project list shows each user their own projects with their role", async () => {
      const mine = (await ok(await call("GET", "/projects", members.ops.headers))) as {
        projects: Array<{ slug: string; role: string }>;
      };
      expect(mine.projects).toEqual([
        expect.objectContaining({ slug: "alpha", role: "ops" }),
        expect.objectContaining({ slug: "default", role: "viewer" }),
      ]);
      expect(
        (await call("POST", "/projects", members.admin.headers, { slug: "gamma", name: "G" })).status,
      ).toBe(403);
      expect((await call("POST", "/projects", admin.headers, { slug: "Bad Slug", name: "x" })).status).toBe(
        400,
      );
      expect((await call("GET", "/runs", { ...admin.headers, [PROJECT_HEADER]: "no such" })).status).toBe(
        400,
      );
    });

    it("beta's routing tree and Alertmanager get beta's alert; alpha's Alertmanager never does", async () => {
      const b = as(betaAdmin, "beta");
      const tree = (await ok(await call("GET", "/routes", b))) as { source: string };
      expect(tree.source).toBe("api");
      expect(JSON.stringify(tree)).toContain(betaOnly.team);
      const alphaTree = (await ok(await call("GET", "/routes", as(members.admin, "alpha")))) as {
        source: string;
      };
      expect(alphaTree.source).toBe("default");
      const sent = (path: string) =>
        side.received.filter((r) => r.path === path && r.body.includes(beta.fingerprint));
      const deadline = Date.now() + 30_000;
      while (
        (sent("/beta/hook").length === 0 || sent("/beta-am/api/v2/alerts").length === 0) &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 200));
      expect(sent("/beta/hook").length, "beta's routed webhook").toBeGreaterThan(0);
      expect(sent("/beta-am/api/v2/alerts").length, "beta's Alertmanager").toBeGreaterThan(0);
      expect(side.received.filter((r) => r.path.startsWith("/alpha-am") && r.body.includes("beta"))).toEqual(
        [],
      );
      // Bad input names its field.
      const bad = await call("PUT", "/routes", b, { route: { channel: "no/slash" } });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/body\.route\.channel/);
      const badTarget = await call("POST", "/scrape/targets", b, {
        url: "http://user:pw@127.0.0.1:1/metrics",
      });
      expect(badTarget.status).toBe(400);
      expect(await badTarget.text()).toMatch(/body\.url/);
      const farTarget = await call("POST", "/scrape/targets", b, { url: "http://203.0.113.9/metrics" });
      expect(farTarget.status).toBe(400);
      expect(await farTarget.text()).toMatch(/body\.url/);
      // A project scrapes a bounded number of targets; removing one makes room again.
      const extra: string[] = [];
      for (let i = 1; i < MAX_SCRAPE_TARGETS; i++) {
        const added = await call("POST", "/scrape/targets", b, { url: `${side.url}/beta/${i}/metrics` });
        extra.push(((await ok(added, 201)) as { target: { id: string } }).target.id);
      }
      const over = await call("POST", "/scrape/targets", b, { url: `${side.url}/beta/over/metrics` });
      expect(over.status).toBe(400);
      expect(await over.text()).toMatch(/body\.url: a project scrapes at most/);
      for (const id of extra) await ok(await call("DELETE", `/scrape/targets/${id}`, b), 204);
      const again = await call("POST", "/scrape/targets", b, { url: betaTarget });
      expect(again.status).toBe(409);
    });

    it("what beta does is stored as beta's: alert state and history, acknowledgement, deliveries, notification log, mail, fault change, scraped samples", async () => {
      const b = as(betaAdmin, "beta");
      await ok(await call("POST", `/alerts/${beta.fingerprint}/ack`, b));
      const db = t.database.db;
      const [row] = await db.select({ id: projects.id }).from(projects).where(eq(projects.slug, "beta"));
      const betaId = row!.id;
      // Which projects own the rows beta's actions wrote, per table (write-behind stores settle
      // within a few evaluations).
      const fp = beta.fingerprint;
      const written: Record<string, SQL> = {
        "alerting.alerts": sql`fingerprint = ${fp}`,
        "alerting.alert_history": sql`fingerprint = ${fp}`,
        "alerting.acknowledgements": sql`fingerprint = ${fp}`,
        "alerting.deliveries": sql`channel like 'beta/%'`,
        "alerting.notification_log": sql`channel = ${`beta/${betaOnly.routedChannel}`}`,
        "alerting.captured_emails": sql`"to" = ${betaOnly.mail}`,
        "hub.fault_changes": sql`"by" = ${betaAdmin.email}`,
        "hub.scraped_samples": sql`target = ${betaTarget}`,
      };
      const owners = async () => {
        const out: Record<string, string[]> = {};
        for (const [table, where] of Object.entries(written)) {
          const result = await db.execute(
            sql`select distinct project_id from ${sql.raw(table)} where ${where}`,
          );
          out[table] = rowsOf<{ project_id: string }>(result).map((r) => r.project_id);
        }
        return out;
      };
      let found = await owners();
      const deadline = Date.now() + 15_000;
      while (Object.values(found).some((rows) => rows.length === 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        found = await owners();
      }
      expect(found).toEqual(Object.fromEntries(Object.keys(written).map((table) => [table, [betaId]])));
      // Beta reads its own: the acknowledgement in its history, its deliveries and captured mail.
      const history = (await ok(await call("GET", `/alerts/history?fingerprint=${beta.fingerprint}`, b))) as {
        events: Array<{ kind: string }>;
      };
      expect(history.events.map((e) => e.kind)).toContain("acknowledged");
      const { deliveries: delivered } = (await ok(await call("GET", "/deliveries", b))) as {
        deliveries: Array<{ channel: string; kind: string }>;
      };
      expect(
        delivered
          .filter((d) => d.kind === "test")
          .map((d) => d.channel)
          .sort(),
      ).toEqual(["beta/beta-hook", `beta/${betaOnly.mailChannel}`].sort());
      const { deliveries: byName } = (await ok(await call("GET", "/deliveries?channel=beta-hook", b))) as {
        deliveries: Array<{ channel: string }>;
      };
      expect(byName.map((d) => d.channel)).toContain("beta/beta-hook");
      const mail = (await ok(await call("GET", "/deliveries/captured-mail", b))) as {
        messages: Array<{ to: string }>;
      };
      expect(mail.messages.map((m) => m.to)).toEqual([betaOnly.mail]);
      const series = (await ok(await call("GET", "/scrape/series?series=memory_rss_bytes", b))) as {
        targets: Record<string, unknown>;
      };
      expect(Object.keys(series.targets)).toEqual([betaTarget]);
      const faults = (await ok(await call("GET", "/faults/changes", b))) as {
        changes: Array<{ by: string; expiresAt?: number | null }>;
      };
      const expiresAt = faults.changes[0]?.expiresAt;
      expect(expiresAt).toBeGreaterThan(Date.now());
      expect(faults.changes.length).toBeGreaterThan(0);
      expect(new Set(faults.changes.map((c) => c.by))).toEqual(new Set([betaAdmin.email]));
      // The shop is shared, so alpha sees beta's changes as chart markers too, but not who made
      // them nor their parameters.
      for (const role of roles) {
        const response = await call("GET", "/faults/changes", as(members[role], "alpha"));
        const text = await response.text();
        expect(text, `${role} of alpha`).not.toContain(betaAdmin.email);
        const seen = (JSON.parse(text) as { changes: unknown[] }).changes;
        expect(seen).toHaveLength(faults.changes.length);
        expect(seen[0]).toEqual({
          at: expect.any(Number),
          fault: "latency",
          action: "set",
          by: "another project",
          detail: null,
          // When it turns itself off is the shop's, not the project's: every project sees it.
          expiresAt,
        });
      }
      // Faults on at a run's start come redacted the same way: beta's latency, on until beta cleared it.
      const [set, clear] = faults.changes as unknown as Array<{ at: number; action: string }>;
      expect([set?.action, clear?.action]).toEqual(["set", "clear"]);
      const atStart = async (headers: Record<string, string>) =>
        (
          (await ok(await call("GET", `/faults/changes?activeAt=${clear!.at}`, headers))) as {
            active: unknown[];
          }
        ).active;
      expect(await atStart(b)).toEqual([expect.objectContaining({ fault: "latency", by: betaAdmin.email })]);
      const seenByAlpha = await atStart(as(members.viewer, "alpha"));
      expect(seenByAlpha).toEqual([
        {
          at: set!.at,
          fault: "latency",
          action: "set",
          by: "another project",
          detail: null,
          expiresAt,
        },
      ]);
    });

    it("a project's own admin manages its members (audited); other members get 403, other projects 404", async () => {
      const alphaAdmin = members.admin;
      const newcomer = await t.loginAs("viewer", { email: `newcomer-${kind}@peakwatch.test` });
      const listed = (await ok(await call("GET", "/projects/alpha/members", alphaAdmin.headers))) as {
        members: Array<{ email: string; role: string }>;
      };
      expect(listed.members).toContainEqual(
        expect.objectContaining({ email: members.ops.email, role: "ops" }),
      );
      expect(listed.members.map((m) => m.email)).not.toContain(betaAdmin.email);
      const added = (await ok(
        await call("PUT", "/projects/alpha/members", alphaAdmin.headers, {
          email: newcomer.email,
          role: "engineer",
        }),
      )) as { userId: string };
      expect((await call("GET", "/rules", as(newcomer, "alpha"))).status).toBe(200);
      const badRole = await call("PUT", "/projects/alpha/members", alphaAdmin.headers, {
        email: newcomer.email,
        role: "root",
      });
      expect(badRole.status).toBe(400);
      expect(await badRole.text()).toMatch(/body\.role/);
      for (const role of ["viewer", "engineer", "ops"] as const) {
        expect((await call("GET", "/projects/alpha/members", members[role].headers)).status, role).toBe(403);
        expect(
          (await call("DELETE", `/projects/alpha/members/${added.userId}`, members[role].headers)).status,
          role,
        ).toBe(403);
      }
      // Beta, and a project that does not exist, are alike to alpha's admin.
      for (const slug of ["beta", "no-such-project"]) {
        expect((await call("GET", `/projects/${slug}/members`, alphaAdmin.headers)).status, slug).toBe(404);
        expect(
          (
            await call("PUT", `/projects/${slug}/members`, alphaAdmin.headers, {
              email: newcomer.email,
              role: "admin",
            })
          ).status,
          slug,
        ).toBe(404);
      }
      expect(
        (await call("DELETE", `/projects/alpha/members/${added.userId}`, alphaAdmin.headers)).status,
      ).toBe(204);
      expect((await call("GET", "/rules", as(newcomer, "alpha"))).status).toBe(404);
      const { entries } = (await ok(await call("GET", "/audit?limit=50", admin.headers))) as {
        entries: Array<{ actor: string; action: string; target: string }>;
      };
      const mine = entries.filter((e) => e.actor === alphaAdmin.email).map((e) => e.action);
      expect(mine).toEqual(expect.arrayContaining(["project.member_set", "project.member_removed"]));
      // Who was removed reads as a person, as who was added does.
      const removed = entries.find((e) => e.action === "project.member_removed");
      expect(removed?.target).toBe(`${newcomer.email} in alpha`);
    });
  });
}
