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
});
