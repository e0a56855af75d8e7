import { describe, expect, it } from "vitest";
import { allEnded, coordinatedOutcome, exitReason } from "./run-outcome.ts";

const exited = (exitCode: number | null) => ({ state: "exited", exitCode });
const lost = { state: "lost", exitCode: null };

describe("the ending of a run split over workers", () => {
  it("is passed when every worker exited 0, failed when one's thresholds failed, error on any other code", () => {
    expect(coordinatedOutcome([exited(0), exited(0), exited(0)])).toBe("passed");
    expect(coordinatedOutcome([exited(0), exited(1), exited(0)])).toBe("failed");
    expect(coordinatedOutcome([exited(1), exited(3), exited(0)])).toBe("error");
  });

  it("is degraded when a worker was lost, and aborted when someone asked it to stop", () => {
    expect(coordinatedOutcome([exited(0), lost, exited(0)])).toBe("degraded");
    expect(coordinatedOutcome([exited(1), lost, exited(0)], "requested")).toBe("aborted");
  });

  it("is failed when an abort threshold stopped one worker and the hub stopped the others", () => {
    expect(coordinatedOutcome([exited(1), exited(130), exited(130)], "threshold")).toBe("failed");
    // Without that cause, a worker that exited 130 was stopped by someone else: its share is missing.
    expect(coordinatedOutcome([exited(1), exited(130)])).toBe("error");
    expect(coordinatedOutcome([exited(1), lost, exited(130)], "threshold")).toBe("degraded");
    expect(coordinatedOutcome([exited(1), exited(4)], "threshold")).toBe("error");
  });

  it("is an error, not degraded, when no worker's data stands: a lone generator that crashed, or all lost", () => {
    expect(coordinatedOutcome([lost])).toBe("error");
    expect(coordinatedOutcome([lost, lost])).toBe("error");
    expect(coordinatedOutcome([lost], "requested")).toBe("aborted");
  });

  it("has ended only when every worker has", () => {
    expect(allEnded([exited(0), { state: "running", exitCode: null }])).toBe(false);
    expect(allEnded([exited(0), lost])).toBe(true);
    expect(allEnded([])).toBe(false);
  });

  it("says how a process ended", () => {
    expect(exitReason(null, "SIGKILL")).toBe("exited on SIGKILL");
    expect(exitReason(3, null)).toBe("exit code 3");
  });
});
