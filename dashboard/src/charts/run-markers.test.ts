import { describe, expect, it } from "vitest";
import { changeMarkers, duringRun, runMarkers } from "./run-markers.ts";

describe("runMarkers", () => {
  const started = 1_700_000_000_000;
  it("places offsets, epoch seconds and epoch milliseconds on the same axis", () => {
    const markers = runMarkers(
      [
        { at: 90, action: "set", fault: "payment_failure" },
        { at: 1_700_000_150, action: "clear", fault: "payment_failure" },
        { at: 1_700_000_200_000, action: "set", fault: "latency" },
      ],
      started,
    );
    expect(markers.map((m) => m.at)).toEqual([1_700_000_090, 1_700_000_150, 1_700_000_200]);
    expect(markers[0]).toMatchObject({ label: "payment_failure on", kind: "set" });
  });

  it("marks hand-made changes at their second, and only those within the run", () => {
    const change = {
      at: started + 30_400,
      fault: "latency",
      action: "set" as const,
      by: "ops@x",
      detail: "fixedMs=40",
    };
    expect(changeMarkers([change])).toEqual([
      { at: 1_700_000_030, label: "latency on (by hand)", kind: "set", detail: "ops@x: fixedMs=40" },
    ]);
    expect(duringRun(change, { startedAt: started })).toBe(true);
    expect(duringRun(change, { startedAt: started, endedAt: started + 10_000 })).toBe(false);
  });
});
