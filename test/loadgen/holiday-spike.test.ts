import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProfile, scaleProfile } from "../../core/profile.ts";
import { builtinProfiles } from "../../core/profiles/index.ts";
import { runInProcess } from "../helpers/loadgen.ts";
import { HOOKS_TOKEN, startTestShop, type TestShop } from "../helpers/shop.ts";

describe("holiday-spike against the real shop", () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop("pglite");
  });
  afterAll(async () => {
    await shop?.close();
  });

  it("runs the default journeys end to end, OTP login and checkout included, and writes the HTML report", async () => {
    const parsed = parseProfile(builtinProfiles["holiday-spike"]);
    if (!parsed.ok) throw new Error(parsed.error);
    // The whole curve in 18 s at a quarter of the rate: the test machine is shared.
    const profile = scaleProfile(parsed.profile, { rate: 0.25, duration: 0.04 });
    // Earlier logins left codes in the mailbox: journeys must read the one mailed for their own request.
    for (let n = 1; n <= 30; n++) {
      const r = await fetch(`${shop.url}/api/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `198.19.0.${n}` },
        body: JSON.stringify({ email: `customer${n}@shop.test` }),
      });
      expect(r.status).toBe(200);
    }
    await shop.shop.outbox.idle();
    const outDir = join(shop.config.PEAKWATCH_DATA_DIR, "run");
    const outcome = await runInProcess(profile, shop.url, {
      testHooksToken: HOOKS_TOKEN,
      customers: 100,
      outDir,
    });
    const steps = outcome.summary.steps;
    for (const step of [
      "products",
      "product",
      "cart_add",
      "cart_view",
      "otp_request",
      "otp_mailbox",
      "otp_verify",
      "checkout",
    ]) {
      expect(steps[step]?.requests ?? 0, `step ${step} (${outcome.summary.verdict})`).toBeGreaterThan(0);
    }
    // Every OTP login that was asked for succeeded, and checkouts placed orders.
    expect(steps.otp_verify!.errors).toBe(0);
    expect(steps.checkout!.errors).toBe(0);
    expect(outcome.summary.errorRate).toBeLessThan(0.01);
    // Returning shoppers keep their session: far fewer logins than checkouts.
    expect(steps.otp_verify!.requests).toBeLessThanOrEqual(steps.checkout!.requests);
    const html = readFileSync(outcome.files.html, "utf8");
    expect(html).toContain("holiday-spike");
    expect(html).toMatch(/<td>checkout<\/td>/);
    expect(html).toContain("<svg");
  });
});
