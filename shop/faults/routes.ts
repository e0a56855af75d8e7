import { Hono } from "hono";
import { z } from "zod";
import { FaultName, faultUpdateSchema } from "../../core/faults.ts";
import { AppError } from "../../core/http/app-error.ts";
import { parseOr400 } from "../../core/http/validate.ts";
import { jsonBody } from "../http/json-body.ts";
import type { Switchboard } from "./switchboard.ts";

const NameParam = z.object({ name: FaultName });

/** /admin/faults: read and flip the fault switches (the caller mounts it behind the admin bearer). */
export function faultRoutes(board: Switchboard): Hono {
  const app = new Hono();
  app.get("/", (c) => c.json(board.snapshot()));
  app.put("/:name", async (c) => {
    const { name } = parseOr400(NameParam, c.req.param(), "params");
    const update = await jsonBody(c, faultUpdateSchema(name));
    const { expiresAt } = update as { expiresAt?: Date };
    const problem = expiresAt && board.expiryProblem(expiresAt);
    if (problem) throw new AppError("bad_request", `body.expiresAt: ${problem}`);
    board.set(name, update as never);
    return c.json({ name, ...board.state(name) });
  });
  app.delete("/:name", (c) => {
    const { name } = parseOr400(NameParam, c.req.param(), "params");
    board.off(name);
    return c.json({ name, ...board.state(name) });
  });
  app.delete("/", (c) => {
    board.clearAll();
    return c.json(board.snapshot());
  });
  return app;
}
