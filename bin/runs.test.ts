import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listRuns, runLine } from "./runs.ts";

describe("peakwatch runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "pw-runs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (id: string, body: string) => {
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, "summary.json"), body);
  };
  const summary = (id: string, startedAt: number, status: string, verdict: string) =>
    JSON.stringify({ runId: id, profile: "smoke", status, verdict, startedAt, endedAt: startedAt + 326_000 });

  it("lists the runs with a report, newest first, skipping what is not a summary, at most --limit", () => {
    write("run-old", summary("run-old", 1_000_000, "passed", "passed: 33 requests, 0.00 % errors"));
    write("run-new", summary("run-new", 2_000_000, "aborted", "aborted: 5 requests, 0.00 % errors"));
    write("run-broken", "{ half");
    write("run-other", JSON.stringify({ runId: "x" }));
    mkdirSync(join(dir, "run-going"));
    expect(listRuns(dir, 20).map((r) => r.runId)).toEqual(["run-new", "run-old"]);
    expect(listRuns(dir, 1)).toHaveLength(1);
    expect(listRuns(join(dir, "missing"), 20)).toEqual([]);
  });

  it("prints each run's length with its unit and its verdict once", () => {
    const [run] = listRuns(dir, 20);
    const line = runLine(run!, 7);
    expect(line).toMatch(/^run-new {2}smoke .* 5 min 26 s {2}aborted: 5 requests, 0\.00 % errors$/);
  });

  it("says a run passed with incidents, and how many alerts fired, when its thresholds held but critical alerts fired", () => {
    const incident = (severity: string) => ({ severity, rule: "CheckoutErrorRate" });
    write(
      "run-incidents",
      JSON.stringify({
        ...JSON.parse(summary("run-incidents", 3_000_000, "passed", "passed: 8377 requests, 1.68 % errors")),
        combinedVerdict: {
          state: "passed-with-incidents",
          incidents: [incident("critical"), incident("critical"), incident("warning")],
          text: "Thresholds passed; 2 critical alerts fired during the run (…)",
        },
      }),
    );
    const [run] = listRuns(dir, 20);
    expect(runLine(run!, 13)).toMatch(
      /5 min 26 s {2}passed with incidents: 8377 requests, 1\.68 % errors; 2 critical alerts, 1 warning$/,
    );
    // A combined verdict this version cannot read: the run is still listed, by its status.
    write(
      "run-future",
      JSON.stringify({
        ...JSON.parse(summary("run-future", 4_000_000, "passed", "passed: 3 requests, 0.00 % errors")),
        combinedVerdict: { state: "some-new-state", incidents: [] },
      }),
    );
    expect(runLine(listRuns(dir, 20)[0]!, 10)).toMatch(/ {2}passed: 3 requests, 0\.00 % errors$/);
  });

  it("lists a run the hub split over workers once, from its workers' summaries, with their shares summed", () => {
    const share = (worker: string, startedAt: number, requests: number, errors: number) => {
      mkdirSync(join(dir, "run-split", worker), { recursive: true });
      writeFileSync(
        join(dir, "run-split", worker, "summary.json"),
        JSON.stringify({
          ...JSON.parse(summary("run-split", startedAt, "passed", `passed: ${requests} requests`)),
          requests,
          errors,
        }),
      );
    };
    share("w0", 5_000_000, 600, 3);
    share("w1", 5_000_040, 400, 2);
    const listed = listRuns(dir, 20);
    expect(listed.filter((r) => r.runId === "run-split")).toHaveLength(1);
    expect(runLine(listed[0]!, 9)).toMatch(
      /^run-split {2}smoke .* 5 min 26 s {2}shares passed: 1000 requests, 0\.50 % errors over 2 workers; the run's verdict: the dashboard's History \(no hub to ask\)$/,
    );
    // With the hub's verdict (asked when a stack or PEAKWATCH_HUB_URL says where it is).
    const judged = {
      ...listed[0]!,
      combinedVerdict: { state: "failed" as const, incidents: [{ severity: "critical" }] },
    };
    expect(runLine(judged, 9)).toMatch(
      /5 min 26 s {2}failed: 1000 requests, 0\.50 % errors over 2 workers; 1 critical alert$/,
    );
    // A hub that judged the whole run gives its line, cause included, in place of the workers' sums.
    const stopped = {
      ...judged,
      combinedVerdict: {
        ...judged.combinedVerdict,
        runLine:
          "failed: 1000 requests, 0.50 % errors, stopped early: error_rate < 20% was 31.2 % on worker w1",
      },
    };
    expect(runLine(stopped, 9)).toMatch(
      /5 min 26 s {2}failed: 1000 requests, 0\.50 % errors, stopped early: error_rate < 20% was 31\.2 % on worker w1 \(2 workers\); 1 critical alert$/,
    );
  });
});
