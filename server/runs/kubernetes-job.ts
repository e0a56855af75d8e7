import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { type RunCommand, runArgs } from "./run-args.ts";

/** The Indexed Job every rendered run starts from (kept in deploy/, where operators read it). */
export const jobTemplateFile = fileURLToPath(
  new URL("../../deploy/kubernetes/loadgen-job.yaml", import.meta.url),
);

/** What a rendered run needs. The token is the run's own agent token (revoked when the run ends). */
export interface RunJobRequest extends RunCommand {
  workers: number;
  /** Unix epoch milliseconds: the common start of every pod (`--start-at`). */
  startAt: number;
  hubUrl: string;
  agentToken: string;
}

/** A Kubernetes object name for a run: DNS-1123, at most 63 characters, unique per run id. */
export function runJobName(runId: string): string {
  const slug = runId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `peakwatch-run-${slug}`.slice(0, 63).replace(/-+$/, "");
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

/**
 * The manifests of one run on Kubernetes, as YAML: a Secret with the run's agent token and the
 * Indexed Job from deploy/ with the run's id, profile, worker count and start barrier, each pod
 * taking segment $(JOB_COMPLETION_INDEX) of N. Pure apart from reading the template; throws
 * when the template has no Job.
 */
export function renderRunJob(
  request: RunJobRequest,
  template = readFileSync(jobTemplateFile, "utf8"),
): string {
  const docs = parseAllDocuments(template).map((d) => d.toJS() as Record<string, unknown>);
  const job = structuredClone(docs.find((d) => d.kind === "Job")) as JobManifest | undefined;
  if (!job) throw new Error(`${jobTemplateFile}: no Job in the template`);
  const name = runJobName(request.runId);
  const labels = { ...job.metadata.labels, "peakwatch/run": name.slice("peakwatch-run-".length) || "run" };
  job.metadata = { ...job.metadata, name, labels, annotations: { "peakwatch/run-id": request.runId } };
  job.spec.completions = request.workers;
  job.spec.parallelism = request.workers;
  job.spec.template.metadata = { ...job.spec.template.metadata, labels };
  const container = job.spec.template.spec.containers[0]!;
  container.args = runArgs(request, "$(JOB_COMPLETION_INDEX)");
  const own: Record<string, EnvVar> = {
    PEAKWATCH_HUB_URL: { name: "PEAKWATCH_HUB_URL", value: request.hubUrl },
    PEAKWATCH_AGENT_TOKEN: {
      name: "PEAKWATCH_AGENT_TOKEN",
      valueFrom: { secretKeyRef: { name, key: "agent-token" } },
    },
  };
  container.env = [...(container.env ?? []).filter((e) => !own[e.name]), ...Object.values(own)];
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, labels, annotations: { "peakwatch/run-id": request.runId } },
    type: "Opaque",
    stringData: { "agent-token": request.agentToken },
  };
  const header = `# Peakwatch run ${request.runId}: ${request.workers} workers of "${request.profile}", all starting at ${new Date(request.startAt).toISOString()}.\n# Apply with: kubectl apply -f <this file>   (it holds the run's agent token: keep it private)\n`;
  return `${header}${stringify(secret)}---\n${stringify(job)}`;
}

interface JobManifest {
  metadata: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    completions: number;
    parallelism: number;
    template: {
      metadata?: { labels?: Record<string, string> };
      spec: { containers: Array<{ args: string[]; env?: EnvVar[] }> };
    };
  };
}
