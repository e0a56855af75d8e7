import { describe, expect, it } from "vitest";
import {
  addCause,
  type CauseCounts,
  causeLabel,
  causeRows,
  classCounts,
  mergeCauses,
  noLatencyReason,
  transportCauseOf,
} from "./error-causes.ts";
import { encodeHistogram, newHistogram, recordMicros } from "./histogram.ts";
import { causesOf, summarizeWindows, type Window, WindowSchema } from "./window.ts";

const histogram = (n: number) => {
  const h = newHistogram();
  for (let i = 0; i < n; i++) recordMicros(h, 1000 + i);
  return encodeHistogram(h);
};

describe("error causes", () => {
  it("names transport failures by their Node and undici codes", () => {
    expect(transportCauseOf("ECONNREFUSED")).toBe("refused");
    expect(transportCauseOf("ECONNRESET")).toBe("reset");
    expect(transportCauseOf("UND_ERR_SOCKET", "other side closed")).toBe("reset");
    expect(transportCauseOf("UND_ERR_CONNECT_TIMEOUT")).toBe("timeout_connect");
    expect(transportCauseOf("UND_ERR_HEADERS_TIMEOUT")).toBe("timeout_first_byte");
    expect(transportCauseOf("UND_ERR_BODY_TIMEOUT")).toBe("timeout_total");
    expect(transportCauseOf("ENOTFOUND")).toBe("dns");
    expect(transportCauseOf("ERR_TLS_CERT_ALTNAME_INVALID")).toBe("tls");
    expect(transportCauseOf("DEPTH_ZERO_SELF_SIGNED_CERT")).toBe("tls");
    expect(transportCauseOf(undefined, "request timed out")).toBe("timeout_total");
    expect(transportCauseOf("EWHATEVER")).toBe("connect");
  });

  it("merges by addition, keeping the newest message, like histograms merge", () => {
    const a: CauseCounts = { http_503: { count: 2, message: "old" } };
    const b: CauseCounts = { http_503: { count: 3, message: "new" }, refused: { count: 1 } };
    const merged = mergeCauses(mergeCauses({}, a), b);
    expect(merged).toEqual({ http_503: { count: 5, message: "new" }, refused: { count: 1 } });
    expect(a.http_503!.count).toBe(2); // inputs untouched
    addCause(merged, "assertion:product_list");
    expect(classCounts(merged)).toEqual({ connect: 1, timeout: 0, http4xx: 0, http5xx: 5, assertion: 1 });
    expect(causeLabel("http_503")).toBe("HTTP 503");
    expect(causeLabel("assertion:product_list")).toBe("assertion failed: product_list");
  });

  it("rows carry each cause's share of its step's requests, most frequent first", () => {
    const rows = causeRows(
      { checkout: { http_402: { count: 3 } }, journey: { dropped: { count: 1 } } },
      { checkout: 30, journey: 100 },
    );
    expect(rows.map((r) => [r.step, r.cause, r.count, r.share])).toEqual([
      ["checkout", "http_402", 3, 0.1],
      ["journey", "dropped", 1, 0.01],
    ]);
  });

  it("says why a step has no latency: no request, or every request failed and of what", () => {
    expect(noLatencyReason(0, {})).toBe("no request");
    expect(noLatencyReason(40, { refused: { count: 40 } })).toBe(
      "no successful request: 40 × connection refused",
    );
    expect(
      noLatencyReason(9, {
        http_503: { count: 2 },
        refused: { count: 5 },
        reset: { count: 1 },
        http_500: { count: 1 },
        dropped: { count: 7 },
      }),
    ).toBe("no successful request: 5 × connection refused, 2 × HTTP 503, 2 more causes");
  });

  it("a window written before causes existed still parses, and reads as its classes", () => {
    const old: Window = {
      runId: "r",
      step: "get",
      worker: "w0",
      second: 100,
      count: 4,
      errors: { connect: 1, timeout: 0, http4xx: 0, http5xx: 2, assertion: 0 },
      bytes: 0,
      targetRate: 0,
      achievedRate: 0,
      dropped: 0,
      latency: histogram(4),
    };
    expect(WindowSchema.safeParse(old).success).toBe(true);
    expect(causesOf(old)).toEqual({ connect: { count: 1 }, http_5xx: { count: 2 } });
    const fresh: Window = {
      ...old,
      second: 101,
      errors: { connect: 1, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
      causes: { refused: { count: 1, message: "ECONNREFUSED" } },
      latency: histogram(3),
      failedLatency: histogram(1),
    };
    expect(WindowSchema.safeParse(fresh).success).toBe(true);
    const summary = summarizeWindows([old, fresh]);
    expect(summary.causes).toEqual({
      connect: { count: 1 },
      http_5xx: { count: 2 },
      refused: { count: 1, message: "ECONNREFUSED" },
    });
    expect(summary.failedLatency.count).toBe(1);
  });

  it("refuses a window with an unknown cause, naming the field", () => {
    const bad = WindowSchema.safeParse({
      runId: "r",
      step: "get",
      worker: "w0",
      second: 1,
      count: 1,
      errors: { connect: 1, timeout: 0, http4xx: 0, http5xx: 0, assertion: 0 },
      bytes: 0,
      targetRate: 0,
      achievedRate: 0,
      dropped: 0,
      latency: histogram(0),
      failedLatency: histogram(1),
      causes: { "gremlins!": { count: 1 } },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toContain("causes");
  });
});
