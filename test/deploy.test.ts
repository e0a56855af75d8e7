import { readdirSync, readFileSync } from "node:fs";
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { Secret, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { commands } from "../bin/commands.ts";
import { parseRunArgs } from "../loadgen/args.ts";
import { renderRunJob } from "../server/runs/kubernetes-job.ts";

/** Kubernetes' own OpenAPI schemas (kubernetes-models), by apiVersion and kind. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "batch/v1 Job": Job,
  "v1 Service": Service,
  "v1 Secret": Secret,
};

/** Validates one manifest against its kind's schema; throws naming the first bad field. */
function validate(doc: Record<string, unknown>): void {
  const Model = models[`${doc.apiVersion} ${doc.kind}`];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc as never).validate();
}

const dir = new URL("../deploy/kubernetes/", import.meta.url);
const manifests = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(new URL(file, dir), "utf8")).map((doc) => {
      expect(doc.errors, file).toEqual([]);
      return { file, doc: doc.toJS() as Record<string, unknown> };
    }),
  );

interface Container {
  args: string[];
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string }[];
}

const containers = manifests
  .filter(({ doc }) => doc.kind === "Deployment" || doc.kind === "Job")
  .flatMap(
    ({ doc }) =>
      (doc as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers,
  );

const portVariable: Record<string, string> = {
  hub: "PEAKWATCH_HUB_PORT",
  shop: "PEAKWATCH_SHOP_PORT",
  probes: "PEAKWATCH_PROBES_PORT",
};

describe("deploy manifests", () => {
  it("run only real peakwatch commands", () => {
    expect(containers.length).toBeGreaterThanOrEqual(3);
    for (const c of containers) expect(Object.keys(commands)).toContain(c.args[0]);
  });

  it("split a load run the way the generator's flags expect", () => {
    const job = manifests.find(({ doc }) => doc.kind === "Job")!.doc as {
      spec: { completions: number; completionMode: string; template: { spec: { containers: Container[] } } };
    };
    const args = job.spec.template.spec.containers[0]!.args;
    expect(job.spec.completionMode).toBe("Indexed");
    expect(Number(args[args.indexOf("--workers") + 1])).toBe(job.spec.completions);
    expect(args[args.indexOf("--worker-index") + 1]).toBe("$(JOB_COMPLETION_INDEX)");
    expect(args).toContain("--run-id");
  });

  it("expose the port each component is configured to listen on", () => {
    for (const c of containers) {
      const variable = portVariable[c.args[0]!];
      if (!variable) continue;
      const configured = Number(c.env?.find((e) => e.name === variable)?.value);
      expect(c.ports?.map((p) => p.containerPort)).toContain(configured);
    }
  });

  it("validate against the Kubernetes schemas, offline", () => {
    expect(manifests.length).toBeGreaterThanOrEqual(6);
    for (const { file, doc } of manifests) expect(() => validate(doc), `${file}: ${doc.kind}`).not.toThrow();
    // The check can fail: a container without a name, replicas given as a word.
    const job = structuredClone(manifests.find(({ doc }) => doc.kind === "Job")!.doc) as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    delete job.spec.template.spec.containers[0]!.name;
    expect(() => validate(job as never)).toThrow(/name/);
    const hub = structuredClone(manifests.find(({ doc }) => doc.kind === "Deployment")!.doc) as {
      spec: { replicas: unknown };
    };
    hub.spec.replicas = "two";
    expect(() => validate(hub as never)).toThrow(/replicas/);
  });

  it("render a run's Indexed Job the hub writes: valid, split N ways, with the run's own token", () => {
    const yaml = renderRunJob({
      runId: "run-20261127T080000-ab12cd",
      profile: "holiday-spike",
      target: "http://peakwatch-shop:4100",
      workers: 6,
      startAt: Date.UTC(2026, 10, 27, 8, 2),
      hubUrl: "http://peakwatch-hub:4000",
      agentToken: "pwa_run_token",
      rateScale: 2,
    });
    const docs = parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).toEqual(["Secret", "Job"]);
    for (const doc of docs) expect(() => validate(doc), String(doc.kind)).not.toThrow();
    const [secret, job] = docs as [
      { metadata: { name: string }; stringData: Record<string, string> },
      {
        metadata: { name: string };
        spec: {
          completions: number;
          parallelism: number;
          completionMode: string;
          template: { spec: { containers: Container[] } };
        };
      },
    ];
    expect(job.metadata.name).toBe("peakwatch-run-run-20261127t080000-ab12cd");
    expect(job.spec).toMatchObject({ completions: 6, parallelism: 6, completionMode: "Indexed" });
    expect(secret.stringData["agent-token"]).toBe("pwa_run_token");
    const container = job.spec.template.spec.containers[0]!;
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
    expect(env.PEAKWATCH_HUB_URL?.value).toBe("http://peakwatch-hub:4000");
    expect(env.PEAKWATCH_AGENT_TOKEN).toMatchObject({
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "agent-token" } },
    });
    // What each pod runs parses as a generator command line, as pod 5 of 6 would see it.
    const args = container.args.map((a) => a.replace("$(JOB_COMPLETION_INDEX)", "5"));
    expect(args[0]).toBe("run");
    const parsed = parseRunArgs(args.slice(1));
    expect(parsed.ok, parsed.ok ? "" : parsed.error).toBe(true);
    expect(parsed.ok && parsed.args).toMatchObject({
      profile: "holiday-spike",
      runId: "run-20261127T080000-ab12cd",
      workers: 6,
      workerIndex: 5,
      rateScale: 2,
      // The start barrier the hub chose reaches every pod as the same instant.
      startAt: Date.UTC(2026, 10, 27, 8, 2),
    });
  });
});
