import { describe, expect, it } from "vitest";
import type { Phases } from "../../core/probe-result.ts";
import { skippedPhases } from "./format-phases.ts";

const zero: Phases = { dns: 0, connect: 0, tls: 0, firstByte: 0, transfer: 0, total: 0 };

describe("skippedPhases", () => {
  it("plain http has no TLS and an IP literal no DNS lookup", () => {
    expect(skippedPhases("http://127.0.0.1:8080/", zero)).toEqual({
      tls: "no TLS: http://",
      dns: "no DNS lookup: IP address",
    });
    expect(skippedPhases("http://[::1]:8080/healthz", zero).dns).toBe("no DNS lookup: IP address");
  });

  it("an https check of a host name had every phase, even one that took 0 ms", () => {
    expect(skippedPhases("https://shop.example/", zero)).toEqual({});
    expect(skippedPhases("https://10.0.0.1/", zero)).toEqual({ dns: "no DNS lookup: IP address" });
  });

  it("a TCP check sends no request; only a plain one skips TLS", () => {
    expect(Object.keys(skippedPhases("tcp://db.internal:5432", zero))).toEqual([
      "tls",
      "firstByte",
      "transfer",
    ]);
    expect(Object.keys(skippedPhases("tls://10.1.2.3:443", zero))).toEqual(["firstByte", "transfer", "dns"]);
  });

  it("a phase that took time happened: a flow whose first step is http may go on over https", () => {
    expect(skippedPhases("http://shop.example/", { ...zero, tls: 12.5 })).toEqual({});
  });

  it("a target that is not a URL rules nothing out", () => {
    expect(skippedPhases("not a url", zero)).toEqual({});
  });

  it("a check that failed before any response did not reach the phases after where it stopped", () => {
    const refused = { ...zero, connect: 1.2, total: 1.2 };
    expect(skippedPhases("https://shop.example/", refused, { kind: "http", ok: false })).toEqual({
      tls: "not reached: the check failed in connect",
      firstByte: "not reached: the check failed in connect",
      transfer: "not reached: the check failed in connect",
    });
    // Plain http: TLS keeps its own reason; the request phases were not reached.
    expect(skippedPhases("http://127.0.0.1:9/", refused, { kind: "http", ok: false })).toEqual({
      tls: "no TLS: http://",
      dns: "no DNS lookup: IP address",
      firstByte: "not reached: the check failed in connect",
      transfer: "not reached: the check failed in connect",
    });
  });

  it("a failed check that got a response, or a flow's, reached every phase it timed", () => {
    const slow = { ...zero, dns: 1, connect: 1, tls: 3, firstByte: 900, total: 905 };
    expect(skippedPhases("https://shop.example/", slow, { kind: "http", ok: false, status: 500 })).toEqual(
      {},
    );
    expect(skippedPhases("https://shop.example/", slow, { kind: "flow", ok: false })).toEqual({});
    expect(skippedPhases("https://shop.example/", slow, { kind: "http", ok: true, status: 200 })).toEqual({});
  });
});
