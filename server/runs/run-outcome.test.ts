import { describe, expect, it } from "vitest";
import { allEnded, coordinatedOutcome, exitReason } from "./run-outcome.ts";

const exited = (exitCode: number | null) => ({ state: "exited", exitCode });
const lost = { state: "lost", exitCode: null };

describe("the ending of a run split over workers", () => {
  it("is passed when every worker exited 0, failed when one's thresholds failed, error on any other code", () => {
    expect(coordinatedOutcome([exited(0), exited(0), exited(0)], false)).toBe("passed");
    expect(coordinatedOutcome([exited(0), exited(1), exited(0)], false)).toBe("failed");
    expect(coordinatedOutcome([exited(1), exited(3), exited(0)], false)).toBe("error");
  });

  it("is degraded when a worker was lost, and aborted when someone asked it to stop", () => {
    expect(coordinatedOutcome([exited(0), lost, exited(0)], false)).toBe("degraded");
    expect(coordinatedOutcome([exited(1), lost, exited(0)], true)).toBe("aborted");
  });

  it("is an error, not degraded, when no worker's data stands: a lone generator that crashed, or all lost", () => {
    expect(coordinatedOutcome([lost], false)).toBe("error");
    expect(coordinatedOutcome([lost, lost], false)).toBe("error");
    expect(coordinatedOutcome([lost], true)).toBe("aborted");
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
