import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { commands } from "../bin/commands.ts";

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
});
