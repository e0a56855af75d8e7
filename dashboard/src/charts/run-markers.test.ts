import { describe, expect, it } from "vitest";
import { runMarkers } from "./run-markers.ts";

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
});
