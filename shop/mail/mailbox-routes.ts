import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import type { Db } from "../../db/open.ts";
import { mailMessages } from "../../db/schema/shop.ts";
import { constantTimeEquals } from "../http/bearer.ts";

const MailboxQuery = z.object({ to: z.email() });

/** GET /__test/mailbox?to=EMAIL: the capture mailbox, newest first. Mounted only with a test-hooks token. */
export function mailboxRoutes(db: Db, token: string): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (!constantTimeEquals(c.req.header("x-test-hooks-token") ?? "", token)) {
      throw new AppError("unauthorized", "x-test-hooks-token is missing or wrong");
    }
    await next();
  });
  app.get("/mailbox", async (c) => {
    const { to } = parseOr400(MailboxQuery, c.req.query(), "query");
    const rows = await db
      .select()
      .from(mailMessages)
      .where(eq(mailMessages.to, to.toLowerCase()))
      .orderBy(desc(mailMessages.createdAt), desc(mailMessages.id))
      .limit(50);
    return c.json({
      messages: rows.map((r) => ({
        id: r.id,
        to: r.to,
        subject: r.subject,
        text: r.text,
        createdAt: r.createdAt.toISOString(),
      })),
    });
  });
  return app;
}
