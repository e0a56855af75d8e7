import { describe, expect, it } from "vitest";
import { textFrame } from "./frames.ts";

describe("textFrame", () => {
  it("frames a message once as an unmasked text frame (ws's Sender is reachable)", () => {
    expect(textFrame(Buffer.from("hi"))).toEqual(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    const long = Buffer.alloc(300, 0x61);
    expect(textFrame(long)).toEqual(Buffer.concat([Buffer.from([0x81, 126, 0x01, 0x2c]), long]));
  });
});
