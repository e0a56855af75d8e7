import { expect, it } from "vitest";
import type { AlertData, ProbeSample } from "./data.ts";
import { projectData } from "./project-data.ts";

const probe = (name: string, project?: string): ProbeSample => ({
  probe: name,
  region: "local",
  target: "http://127.0.0.1:4100/",
  at: 1,
  ok: false,
  totalMs: 5,
  ...(project ? { project } : {}),
});
const metric = { series: "up", labels: {}, at: 1, value: 1 };

it("a project's rules see only its own samples, scraped metrics included", () => {
  const betaMetric = {
    series: "up",
    labels: { target: "http://127.0.0.1:9/metrics", project: "beta" },
    at: 1,
    value: 0,
  };
  const data: AlertData = {
    windows: [],
    probes: [probe("home"), probe("b-home", "beta")],
    metrics: [metric, betaMetric],
  };
  const of = projectData(data);
  expect(of(undefined).probes.map((p) => p.probe)).toEqual(["home"]);
  expect(of(undefined).metrics).toEqual([metric]);
  expect(of("beta").probes.map((p) => p.probe)).toEqual(["b-home"]);
  expect(of("beta").metrics).toEqual([betaMetric]);
  expect(of("gamma").probes).toEqual([]);
});

it("with only default data the default project gets the data itself, unfiltered", () => {
  const data: AlertData = { windows: [], probes: [probe("home")], metrics: [metric] };
  const of = projectData(data);
  expect(of(undefined)).toBe(data);
  expect(of("beta").probes).toEqual([]);
});
