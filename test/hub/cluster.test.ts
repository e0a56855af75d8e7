import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.ts";
import type { ServerMessage } from "../../core/live.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";
import { makeProbeResult, makeRunReport, makeWindow } from "./fixtures.ts";
import { connectLive } from "./live-client.ts";

type AlertMessage = Extract<ServerMessage, { type: "alert" }>;
const isAlert = (m: ServerMessage): m is AlertMessage => m.type === "alert";
const isSubscribed = (m: ServerMessage): m is Extract<ServerMessage, { type: "subscribed" }> =>
  m.type === "subscribed";

const alert = (n: number): Alert => ({
  fingerprint: `fp-${n}`,
  rule: "R",
  state: "firing",
  severity: "critical",
  labels: {},
  annotations: {},
  value: n,
  activeAt: null,
  firedAt: null,
  resolvedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  silencedBy: [],
  inhibited: false,
});

// Replicas share one Postgres; PGlite is single-process, so this runs only with TEST_DATABASE_URL.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("[postgres] two hub replicas", () => {
  let a: TestHub;
  let b: TestHub;
  beforeAll(async () => {
    a = await startTestHub({ kind: "postgres" });
    b = await startTestHub({
      kind: "postgres",
      database: a.database,
      env: { PEAKWATCH_AGENT_TOKEN: a.agentToken },
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("a client on one replica gets alerts, probe results and run windows stored through the other, once and in order", async () => {
    const stored = await fetch(`${a.url}/api/v1/ingest/runs`, {
      method: "POST",
      headers: { ...a.agentHeaders, "content-type": "application/json" },
      body: JSON.stringify(makeRunReport("cluster-run")),
    });
    expect(stored.status).toBe(200);
    const client = await connectLive(b.url, a.agentHeaders);
    client.send({ type: "subscribe", topics: ["alerts", "probes", "run:cluster-run"] });
    await client.waitFor(isSubscribed);

    const seqs = [];
    for (let i = 0; i < 5; i++)
      seqs.push(await a.hub.alerts.publishAlert({ kind: "firing", at: Date.now(), alert: alert(i) }));
    seqs.push(await b.hub.alerts.publishAlert({ kind: "firing", at: Date.now(), alert: alert(5) }));
    const alerts = (await client.waitForCount(isAlert, 6, 10_000)) as AlertMessage[];
    expect(alerts.map((m) => m.event.seq)).toEqual(seqs);

    const post = (path: string, body: unknown) =>
      fetch(`${a.url}/api/v1${path}`, {
        method: "POST",
        headers: { ...a.agentHeaders, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const result = makeProbeResult({ probe: "across" });
    await post("/ingest/probe-results", { results: [result] });
    const probe = await client.waitFor(
      (m): m is Extract<ServerMessage, { type: "probe" }> => m.type === "probe",
      10_000,
    );
    expect(probe.result.id).toBe(result.id);

    const second = Math.floor(Date.now() / 1000);
    await post("/ingest/windows", {
      windows: [makeWindow({ runId: "cluster-run", step: "browse", worker: "w1", second }, [1000, 2000])],
    });
    const window = await client.waitFor(
      (m): m is Extract<ServerMessage, { type: "window" }> => m.type === "window",
      10_000,
    );
    expect(window.steps.browse!.count).toBe(2);
    client.ws.close();
  });
});
