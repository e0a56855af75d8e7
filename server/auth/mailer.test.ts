import { describe, expect, it } from "vitest";
import { consoleMailer } from "./mailer.ts";

describe("consoleMailer", () => {
  it("prints the code in the line `peakwatch up` users look for", async () => {
    const lines: string[] = [];
    await consoleMailer((line) => lines.push(line)).sendCode("ops@example.com", "123456");
    expect(lines).toEqual(["login code for ops@example.com: 123456"]);
  });
});
