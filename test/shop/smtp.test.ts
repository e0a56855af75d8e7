import type { AddressInfo, createServer } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otpCodeFromMail } from "../../core/shop-api.ts";
import { HOOKS_TOKEN, ShopClient, startTestShop, type TestShop } from "../helpers/shop.ts";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

// Mail does not depend on the database: PGlite is enough here.
describe("shop mail over real SMTP", () => {
  let sink: SMTPServer;
  let t: TestShop;
  const received: Received[] = [];

  beforeAll(async () => {
    sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        let raw = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          raw += chunk;
        });
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const { port } = (
      sink as unknown as { server: ReturnType<typeof createServer> }
    ).server.address() as AddressInfo;
    t = await startTestShop("pglite", {
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SHOP_MAIL_FROM: "shop@peakwatch.test" },
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => sink?.close(() => resolve()));
  });

  it("delivers the login code to the SMTP server instead of the capture mailbox", async () => {
    const email = "customer3@shop.test";
    const client = new ShopClient(t.url);
    const requested = await client.post<{ challengeId: string }>("/api/auth/otp/request", { email });
    expect(requested.status).toBe(200);
    await t.shop.outbox.idle();
    const mail = received.find((m) => m.to.includes(email));
    expect(mail?.from).toBe("shop@peakwatch.test");
    const body = mail!.raw.replace(/=\r?\n/g, "");
    const code = otpCodeFromMail(body.replace(/\r\n/g, "\n"));
    expect(code).toMatch(/^\d{6}$/);
    expect(
      (await client.post("/api/auth/otp/verify", { challengeId: requested.body.challengeId, code })).status,
    ).toBe(200);
    const captured = await fetch(`${t.url}/__test/mailbox?to=${email}`, {
      headers: { "x-test-hooks-token": HOOKS_TOKEN },
    });
    expect(((await captured.json()) as { messages: unknown[] }).messages).toEqual([]);
  });
});
