import { describe, expect, it } from "vitest";
import { breakParts } from "./format-breaks.ts";

describe("breakParts", () => {
  it("splits an email or a file name after its separators, never inside a word", () => {
    expect(breakParts("admin@peakwatch.local")).toEqual(["admin@", "peakwatch.", "local"]);
    expect(breakParts("hub-20261205T114858Z.pwbackup")).toEqual(["hub-", "20261205T114858Z.", "pwbackup"]);
    expect(breakParts("ci_nightly/checkout")).toEqual(["ci_", "nightly/", "checkout"]);
  });

  it("joined, the parts are the text again", () => {
    for (const text of ["admin@peakwatch.local", "trailing.", "-leading", "a..b", "plain", ""])
      expect(breakParts(text).join("")).toBe(text);
  });
});
